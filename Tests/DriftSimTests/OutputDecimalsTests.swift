import Testing
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
}
