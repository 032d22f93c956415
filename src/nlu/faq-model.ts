/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 319, base: 298; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.809,
 * right entry ranked first 0.913, out-of-scope answered null 0.886.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a). */
export const RANK_WEIGHTS: readonly number[] = [3.2615, 2.1598, 0.6485, 0.5671, 1.5353, 0.8988, 1.841, 2.4269, -0.2716, 0.5214, 0.4545, 0.6631, 0.6089];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, known_mass, missed, worst_miss, foreign_unknown). */
export const ANSWER_WEIGHTS: readonly number[] = [-2.3576, 0.3333, 0.0264, -1.3897, 1.1756, -0.9017, -0.8774, -0.4211];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.83;
