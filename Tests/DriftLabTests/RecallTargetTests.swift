import DriftCore
import DriftDetectors
import DriftModels
import Testing
@testable import DriftLab

/// The label monitors' benign recall target (docs/lab.md, "The benign recall target"): cross-fitted
/// out-of-fold scores of the whole reference instead of the validation split alone.
@Suite struct RecallTargetTests {
    /// Consecutive day blocks: 28 days in 4 folds of 7; a span not divisible spreads the remainder.
    @Test func foldsAreConsecutiveBlocksOfDays() {
        let days = (-28..<0).map { Int32($0) }
        let fold = OutOfFold.foldOf(days: days, folds: 4)
        #expect(fold == (0..<28).map { $0 / 7 })
        #expect(OutOfFold.foldOf(days: [5, 5, 6, 7, 8], folds: 2) == [0, 0, 0, 1, 1])
        #expect(OutOfFold.foldOf(days: [], folds: 4).isEmpty)
    }

    /// Off (fewer than 2 folds) or too few days for the folds: no cross-fitting, nothing trained.
    @Test func crossFittingOffOrTooShortGivesNil() throws {
        let table = try Table(columns: [("x", .numeric([0, 1, 2, 3])), ("day", .numeric([0, 0, 1, 1])), ("is_fraud", .numeric([0, 1, 0, 1]))])
        let options = TrainingOptions(kind: .logistic)
        #expect(OutOfFold.fit(table, days: [0, 0, 1, 1], labels: [0, 1, 0, 1], options: options, folds: 1, jobs: 1) == nil)
        #expect(OutOfFold.fit(table, days: [0, 0, 1, 1], labels: [0, 1, 0, 1], options: options, folds: 3, jobs: 1) == nil)
    }

    /// A validation split that already holds `enoughValidationFrauds` frauds is the target itself: no
    /// fold is fitted; one fraud fewer and the same reference is cross-fitted.
    @Test func enoughValidationFraudsSkipCrossFitting() throws {
        let n = 8_000, start = PreparedReference.validationStart(rows: n)
        var labels = (0..<n).map { i -> UInt8 in i >= start ? UInt8(i % 2) : (i % 7 == 0 ? 1 : 0) }
        let days = (0..<n).map { Int32($0 / 1_000) }
        func table(_ y: [UInt8]) throws -> Table {
            try Table(columns: [("x", .numeric((0..<n).map { Double($0 % 10) + 3 * Double(y[$0]) })),
                                ("day", .numeric(days.map(Double.init))), ("is_fraud", .numeric(y.map(Double.init)))])
        }
        let options = TrainingOptions(kind: .logistic)
        #expect(labels[start...].reduce(0) { $0 + Int($1) } == OutOfFold.enoughValidationFrauds)
        #expect(OutOfFold.fit(try table(labels), days: days, labels: labels, options: options, folds: 4, jobs: 1) == nil)
        labels[start + 1] = 0
        let fitted = OutOfFold.fit(try table(labels), days: days, labels: labels, options: options, folds: 4, jobs: 1)
        #expect(fitted?.folds == 4)
    }

    /// The fixtures' world (1,500 transactions a day, 28 reference days, 1 % fraud): every reference
    /// fraud is scored out of fold, so the target rests on about 4x the validation split's frauds (3.3x here: 445 against 136),
    /// and the monitors' reference (`heldOutLabels`) counts about 4x its reported frauds; the out-of-fold
    /// recall agrees with the deployed model's validation recall within 3 standard errors (design
    /// effect included; the two share the last fold's frauds, so this bound is loose, not tight).
    @Test func recallTargetRestsOnEveryReferenceFraudAndMatchesTheValidationRecall() throws {
        let ref = try #require(RunFixtures.reference)
        let primary = ref.primary
        #expect(primary.crossFitFolds == 4 && primary.foldRecalls.count == 4)
        #expect(primary.recallTargetFrauds == ref.frauds)
        #expect(Double(primary.recallTargetFrauds) >= 3 * Double(primary.validationFrauds),
                "\(primary.recallTargetFrauds) vs \(primary.validationFrauds)")
        // The m_ref the recall gap and calibration read: reported frauds of every reference row.
        let split = LabelReference(log: LabelledLog(days: Array(ref.labelDays[ref.validationStart...]),
                                                    scores: Array(ref.labelScores[ref.validationStart...]),
                                                    reportDays: Array(ref.labelReports[ref.validationStart...]),
                                                    threshold: primary.calibratedThreshold), asOf: Int32.max - 1)
        #expect(Double(primary.heldOutLabels.frauds) >= 3 * Double(split.frauds), "\(primary.heldOutLabels.frauds) vs \(split.frauds)")
        #expect(primary.heldOutLabels.frauds > primary.recallTargetFrauds / 2)
        let r = primary.validationRecall
        let se = (ref.recallVarianceInflation * r * (1 - r) * (1 / Double(primary.recallTargetFrauds) + 1 / Double(primary.validationFrauds))).squareRoot()
        #expect(abs(primary.recallTarget - r) <= 3 * se, "out of fold \(primary.recallTarget), validation \(r), se \(se)")
        // The other model keeps the validation split (only the primary feeds the label monitors).
        #expect(ref.models[0].crossFitFolds == 0 && ref.models[0].recallTargetFrauds == ref.models[0].validationFrauds)
        // The manifest says where the target came from.
        let json = ref.manifestJSON(options: LabOptions()).serialized()
        #expect(json.contains("\"out_of_fold\"") && json.contains("fold_recalls"))
    }
}
