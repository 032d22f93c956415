/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 429, base: 482; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.882,
 * right entry ranked first 0.924, out-of-scope answered null 0.937.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a, bayes). */
export const RANK_WEIGHTS: readonly number[] = [2.3275, 1.6476, 0.2854, 0.5208, 0.971, 0.6886, 1.3582, 2.5611, -0.0078, 0.6456, 0.5372, 0.6433, 0.5145, 1.5556];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, known_mass, missed, worst_miss, foreign_unknown, out_of_scope). */
export const ANSWER_WEIGHTS: readonly number[] = [-5.0413, 0.4934, -0.0184, -0.7406, 0.7043, -0.4193, -0.5564, -0.4185, -0.8508];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.78;
