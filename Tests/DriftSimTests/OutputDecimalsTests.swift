import Testing
@testable import DriftCore
@testable import DriftSim

/// Numeric features keep their fixed decimals on the simulator's grid and 6 significant digits off it,
/// so a rescaled value (a unit bug) can be undone exactly from the CSV.
@Suite struct OutputDecimalsTests {
    @Test func cleanValuesKeepTheirGridAndRescaledOnesSixSignificantDigits() {
        // Clean values: on the grid the simulator rounds to.
        #expect(ScenarioOutput.decimals(12.35, fixed: 2) == 2)
        #expect(ScenarioOutput.decimals(0.7934, fixed: 4) == 4)
        #expect(ScenarioOutput.decimals(1235.0, fixed: 2) == 2)  // x100 stays on the grid
        #expect(ScenarioOutput.decimals(0, fixed: 4) == 4)
        #expect(ScenarioOutput.decimals(.nan, fixed: 4) == 4)
        // Off the grid: 6 significant digits, never fewer than the fixed decimals.
        #expect(ScenarioOutput.decimals(0.7934 * 0.01, fixed: 4) == 8)   // 0.00793400
        #expect(ScenarioOutput.decimals(12.3456, fixed: 2) == 4)         // 12.3456
        #expect(ScenarioOutput.decimals(123_456.789, fixed: 2) == 2)     // wide values keep the grid's decimals
        #expect(ScenarioOutput.decimals(1e-20, fixed: 4) == 15)          // capped at 15
        // The written text restores the clean value when the factor is undone.
        let logged = (0.7934 * 0.01 * 1e8).rounded() / 1e8
        #expect(((logged * 100) * 1e4).rounded() / 1e4 == 0.7934)
    }

    /// The log writes a feature no failure reached with its fixed decimals, unchecked, and truth.csv
    /// every clean value so (`writeValue(onGrid:)`): that holds only because every clean value sits
    /// on its grid and a served value differs from the clean one only where its `alteredMask` bit is set.
    @Test func unalteredServedValuesAreTheCleanOnesOnTheirGrid() throws {
        let s = smallScenario(seed: 23, referenceDays: 2, productionDays: 4, failures: [
            FailureSpec(kind: .covariateShift, subkind: "feature_shift", features: ["amount", "distance_from_home_km", "account_age_days", "device_risk_score"], startDay: 0, severity: 1),
            FailureSpec(kind: .schemaChange, subkind: "unit_scale", features: ["amount_ratio_30d"], startDay: 0, severity: 1),
            FailureSpec(kind: .schemaChange, subkind: "column_swap", features: ["txn_count_1h", "amount_sum_24h"], startDay: 1, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "timezone", features: ["hour"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "boolean_flip", features: ["cvv_match"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "type_change", features: ["distance_from_home_km"], startDay: 2, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "definition_skew", features: ["txn_count_24h"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .schemaChange, subkind: "category_recode", features: ["merchant_country"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "noise", features: ["ip_risk_score"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "out_of_range", features: ["account_age_days"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "stuck", features: ["amount"], startDay: 0, severity: 0.3),
            FailureSpec(kind: .dataQuality, subkind: "dropped", features: ["device_risk_score"], startDay: 0, severity: 0.3),
            FailureSpec(kind: .dataQuality, subkind: "missing", features: ["new_device", "channel"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "stale", features: ["amount_sum_24h"], startDay: 0, severity: 0.5),
            FailureSpec(kind: .dataQuality, subkind: "duplicates", features: [], startDay: 0, severity: 0.5),
        ])
        let (_, days) = try allDays(s)
        var checked = 0, altered = 0, offGrid = 0, changedUnmarked = 0
        for b in days {
            for f in 0..<FeatureSchema.count {
                let bit = UInt32(1) << UInt32(f)
                for i in 0..<b.count {
                    if b.alteredMask[i] & bit != 0 { altered += 1; continue }
                    checked += 1
                    if FeatureSchema.isCategorical[f] {
                        if b.served.codes[f][i] != b.clean.codes[f][i] { changedUnmarked += 1 }
                    } else {
                        let clean = b.clean.numeric[f][i], served = b.served.numeric[f][i]
                        if served.bitPattern != clean.bitPattern { changedUnmarked += 1 }
                        if ScenarioOutput.decimals(clean, fixed: FeatureSchema.decimals[f]) != FeatureSchema.decimals[f] { offGrid += 1 }
                    }
                }
            }
        }
        #expect(checked > 100_000 && altered > 10_000, "the failures must reach many values and leave many alone")
        #expect(changedUnmarked == 0, "served values that differ from the clean ones without their alteredMask bit")
        #expect(offGrid == 0, "clean values off their feature's decimal grid")
    }
}
