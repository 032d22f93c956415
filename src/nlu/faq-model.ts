/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (demo: 319, base: 298; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 0.807,
 * right entry ranked first 0.917, out-of-scope answered null 0.895.
 */

/** Ranker: a linear score over PAIR_FEATURES (concept_q, concept_a, word_q, word_a, gram_q, gram_a, best_f1, best_rev, cross, cross_concept_q, cross_best_f1, object_q, object_a). */
export const RANK_WEIGHTS: readonly number[] = [3.2636, 2.1609, 0.8276, 0.5567, 0.5792, 0.8477, 1.7426, 2.3906, -0.4848, 0.4511, 0.3466, 0.662, 0.6983];

/** Answer model: logistic over ANSWER_FEATURES (bias, score, margin, unknown, best_f1, coverage, known_mass, cross, missed, worst_miss, foreign, foreign_unknown, foreign_missed, unknown_concept, unknown_noun, unknown_verb, unknown_latin). */
export const ANSWER_WEIGHTS: readonly number[] = [-1.9326, 0.3205, 0.0443, -1.3075, -0.1111, -0.02, 1.1169, -0.1486, -0.7922, -0.837, 0.1582, -0.4452, -0.047, -0.2249, -0.6736, 0.0401, -0.449];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least 0.88 of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = 0.83;
