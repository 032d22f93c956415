/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 429, base: 612; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.879,
 * right entry ranked first 0.923, out-of-scope answered null 0.940.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a, bayes). */
export const RANK_WEIGHTS: readonly number[] = [2.0849, 1.5666, 0.2262, 0.4412, 0.8118, 0.6873, 1.597, 2.6447, -0.0411, 0.4929, 0.8028, 0.6346, 0.4278, 1.6529];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, known_mass, missed, worst_miss, foreign_unknown, out_of_scope). */
export const ANSWER_WEIGHTS: readonly number[] = [-5.6196, 0.5787, -0.0515, -0.7688, 0.6781, -0.362, -0.4974, -0.5105, -0.8808];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.8;
