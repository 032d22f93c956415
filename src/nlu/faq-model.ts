/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 429, base: 482; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.855,
 * right entry ranked first 0.906, out-of-scope answered null 0.937.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a). */
export const RANK_WEIGHTS: readonly number[] = [3.0681, 2.0699, 0.5896, 0.695, 1.3953, 0.9182, 1.8694, 2.4689, -0.1553, 0.3475, 0.5695, 0.6404, 0.6221];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, known_mass, missed, worst_miss, foreign_unknown, out_of_scope). */
export const ANSWER_WEIGHTS: readonly number[] = [-3.8623, 0.3344, 0.0438, -0.7244, 0.6931, -0.5098, -0.6241, -0.4052, -0.8705];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.8;
