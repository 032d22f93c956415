/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 429, base: 482; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.878,
 * right entry ranked first 0.921, out-of-scope answered null 0.937.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a, bayes). */
export const RANK_WEIGHTS: readonly number[] = [2.3018, 1.6289, 0.3255, 0.5229, 0.9951, 0.6893, 1.376, 2.5662, 0.0278, 0.6227, 0.5394, 0.6094, 0.5026, 1.5693];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, known_mass, missed, worst_miss, foreign_unknown, out_of_scope). */
export const ANSWER_WEIGHTS: readonly number[] = [-4.8205, 0.4802, -0.019, -0.7432, 0.6823, -0.4403, -0.5859, -0.3974, -0.8422];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.78;
