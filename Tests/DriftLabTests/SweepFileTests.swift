import DriftCore
import DriftSim
import Foundation
import Testing
@testable import DriftLab

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The small sweep's text with one field replaced (or removed with `nil`).
private func variant(_ key: String, _ value: String?) throws -> JSON {
    guard case .object(var members) = try JSON.parse(smallSweepText) else { throw ConfigError(file: "", path: "", message: "") }
    if let value {
        let v = try JSON.parse(value)
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = v } else { members.append((key, v)) }
    } else {
        members.removeAll { $0.0 == key }
    }
    return .object(members)
}

private func error(_ key: String, _ value: String?) throws -> ConfigError {
    do {
        _ = try SweepFile.decode(try variant(key, value), file: "s.json")
    } catch let e as ConfigError {
        return e
    }
    throw ConfigError(file: "s.json", path: key, message: "expected an error, the sweep decoded")
}

@Suite("Sweep files")
struct SweepFileTests {
    @Test("bad sweep files: the error names the JSON path and what to fix")
    func validationErrors() throws {
        var e = try error("severites", "[0.5]")
        #expect(e.path == "severites" && e.message.contains("did you mean 'severities'"))
        e = try error("severities", "[0.5, 1.5]")
        #expect(e.path == "severities[1]" && e.message.contains("[0, 1]"))
        e = try error("severities", "[0.5, 0.5]")
        #expect(e.path == "severities[1]" && e.message.contains("twice"))
        // Distinct severities that round to one cell id (ids carry two decimals): the fix is the severities.
        e = try error("severities", "[0.5, 0.501]")
        #expect(e.path == "cells[0]" && e.message.contains("s0.50") && e.message.contains("differ in the first two decimals"), "\(e)")
        e = try error("onset_days", "[60]")
        #expect(e.path == "onset_days[0]" && e.message.contains("[0, 59]"))
        e = try error("window_days", "[3]")
        #expect(e.path == "window_days[0]" && e.message.contains("step_days"))
        e = try error("seeds", "0")
        #expect(e.path == "seeds")
        e = try error("base", nil)
        #expect(e.path == "base" && e.message.contains("is required"))
        e = try error("base", #"{"name": "b", "seed": 1, "failures": [{"kind": "prior_shift", "subkind": "fraud_wave", "start_day": 3, "severity": 1}]}"#)
        #expect(e.path == "base" && e.message.contains("must have none"))
        e = try error("base", #"{"name": "b", "seed": 1, "populaton": {}}"#)
        #expect(e.path == "base.populaton" && e.message.contains("did you mean 'population'"))
        e = try error("base", #""does-not-exist.json""#)
        #expect(e.message.contains("file not found"))
        e = try error("cells", #"[{"kind": "schema_chnage"}]"#)
        #expect(e.path == "cells[0].kind" && e.message.contains("did you mean 'schema_change'"))
        e = try error("cells", #"[{"kind": "schema_change", "subkind": "unit_scael"}]"#)
        #expect(e.path == "cells[0].subkind" && e.message.contains("did you mean 'unit_scale'"))
        e = try error("cells", #"[{"kind": "schema_change", "subkind": "unit_scale", "params": {"facter": 10}}]"#)
        #expect(e.path == "cells[0].params.facter" && e.message.contains("did you mean 'factor'"))
        e = try error("cells", #"[{"kind": "data_quality", "subkind": "missing", "features": ["amout"]}]"#)
        #expect(e.path == "cells[0].features[0]" && e.message.contains("did you mean 'amount'"))
        e = try error("cells", #"[{"kind": "label_delay", "subkind": "outage", "end_day": 10}]"#)
        #expect(e.path == "cells[0].end_day" && e.message.contains("after start_day"))
        e = try error("cells", #"[{"kind": "prior_shift", "subkind": "fraud_wave"}, {"kind": "prior_shift", "subkind": "fraud_wave"}]"#)
        #expect(e.path == "cells[1]" && e.message.contains("add a distinct 'label'"))
        e = try error("controls", #"{"cuont": 2}"#)
        #expect(e.path == "controls.cuont" && e.message.contains("count"))
        do {
            _ = try SweepFile.decode(try JSON.parse(#"{"name": "x", "base": {"name": "b", "seed": 1}, "cells": [], "controls": 0}"#), file: "s.json")
            Issue.record("an empty sweep decoded")
        } catch let e as ConfigError {
            #expect(e.path == "cells" && e.message.contains("nothing to run"))
        }
        // An explicit null is an absent optional key: the base's seed, not "unknown key" or "required".
        let nullSeed = try SweepFile.decode(try JSON.parse(#"{"name": "x", "base": {"name": "b", "seed": 5}, "seed": null, "controls": 1}"#), file: "s.json")
        #expect(nullSeed.seed == 5)
    }

    @Test("a base file that is missing, a folder or invalid is named with the sweep file that points at it")
    func baseFileErrorsNameTheSweep() throws {
        let folder = try scratchFolder("sweep-base-errors")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func error(base: String) throws -> String {
            let sweep = folder + "/s.json"
            try "{\"name\": \"s\", \"base\": \"\(base)\"}".write(toFile: sweep, atomically: true, encoding: .utf8)
            do { _ = try SweepFile.load(sweep); return "" } catch let e as ConfigError { return "\(e)" }
        }
        #expect(try error(base: "absent.json") == "\(folder)/s.json: base: 'absent.json' (read beside this sweep file: \(folder)/absent.json): "
                + "file not found; check the path (bundled scenarios are in scenarios/)")
        #expect(try error(base: ".").contains("s.json: base: '.' (read beside this sweep file: \(folder)/.): is a folder, not a base scenario file"))
        try #"{"name": "b", "seed": 1, "production_days": 10, "failures": []}"#.write(toFile: folder + "/b.json", atomically: true, encoding: .utf8)
        #expect(try error(base: "b.json") == "\(folder)/b.json: monitoring.window_days: must be at most production_days (10), or no window ever "
                + "fills; got 14 (the default) (the base scenario of \(folder)/s.json)")
    }

    @Test("a sweep or cell name can never reach outside the results folder")
    func pathEscapeRejected() throws {
        for bad in [#""../evil""#, #""a/b""#, #"".hidden""#, #""..""#, #""""#] {
            let e = try error("name", bad)
            #expect(e.path == "name", "\(bad)")
        }
        let e = try error("cells", #"[{"kind": "prior_shift", "subkind": "fraud_wave", "label": "../../x"}]"#)
        #expect(e.path == "cells[0].label")
        // Detector ids come from run files: they are made file-safe before naming confusion files.
        #expect(SummaryWriter.fileName("../../etc/x") == "_.._.._etc_x")
        #expect(SummaryWriter.fileName("ks/amount") == "ks_amount")
        #expect(!SummaryWriter.fileName("..").contains("/"))
    }

    @Test("expansion: count, order, stable ids, derived seeds, resolved parameters per severity")
    func expansion() throws {
        let sweep = try smallSweep()
        #expect(sweep.cells.count == 48)
        #expect(sweep.cells.map(\.index) == Array(0..<48))
        #expect(sweep.cells.prefix(5).map(\.id) == [
            "schema_change.unit_scale.s0.50.on21.seed0.w7", "schema_change.unit_scale.s0.50.on21.seed1.w7",
            "schema_change.unit_scale.s0.50.on21.seed0.w14", "schema_change.unit_scale.s0.50.on21.seed1.w14",
            "schema_change.unit_scale.s1.00.on21.seed0.w7",
        ])
        #expect(sweep.cells[8].id == "prior_shift.fraud_wave.s0.50.on21.seed0.w7")
        #expect(sweep.cells[16].id == "prior_shift.fraud_drop.s0.50.on21.seed0.w7")
        #expect(sweep.cells.suffix(3).map(\.id) == ["none.control.c1.seed0.w14", "none.control.c0.seed1.w14", "none.control.c1.seed1.w14"])
        #expect(Set(sweep.cells.map(\.id)).count == 48)
        for c in sweep.cells { #expect(ScenarioFile.nameProblem(c.id) == nil && c.scenario.name == c.id) }

        // Overrides hold at every severity; everything else follows the cell's own severity.
        let scale = sweep.cells.filter { $0.subkind == "unit_scale" }
        #expect(scale.allSatisfy { $0.scenario.failures[0].number("factor") == 1000 })
        #expect(scale.map { $0.scenario.failures[0].number("affected_share") } == [0.7, 0.7, 0.7, 0.7, 1, 1, 1, 1])
        let drop = sweep.cells.filter { $0.subkind == "fraud_drop" }.map { $0.scenario.failures[0].number("prior_multiplier") }
        #expect(drop.map { ($0 * 1000).rounded() / 1000 } == [0.6, 0.6, 0.6, 0.6, 0.2, 0.2, 0.2, 0.2])
        let shift = sweep.cells.first { $0.subkind == "feature_shift" }!.scenario.failures[0]
        #expect(shift.rampDays == 7 && shift.startDay == 21 && shift.features == ["amount"])
        #expect(sweep.cells.first { $0.subkind == "outage" }!.scenario.failures[0].endDay == 50)
        #expect(sweep.cells[1].scenario.monitoring.windowDays == 7 && sweep.cells[2].scenario.monitoring.windowDays == 14)

        // World seeds depend only on the sweep seed, the seed index and the control index.
        let seed0 = sweep.cells.filter { $0.seedIndex == 0 && ($0.controlIndex ?? 0) == 0 }
        #expect(Set(seed0.map(\.scenario.seed)).count == 1)
        #expect(seed0[0].scenario.seed == SweepFile.worldSeed(base: 5, seedIndex: 0, control: 0))
        #expect(Set(sweep.cells.map(\.scenario.seed)).count == 4)  // 2 seeds x (shared world, control 1)
        // Same world and window: one reference period for every kind and severity.
        #expect(Set(seed0.filter { $0.windowDays == 7 }.map(\.referenceKey)).count == 1)
        #expect(Set(sweep.cells.map(\.referenceKey)).count == 8)
        // The expansion and the hash are stable.
        #expect(try smallSweep().hash == sweep.hash)
        #expect(sweep.cells.map(\.scenarioHash) == (try smallSweep()).cells.map(\.scenarioHash))
    }

    @Test("the bundled sweep files expand, and the standard sweep covers every kind and sub-kind")
    func bundledSweeps() throws {
        let standard = try SweepFile.load(packageRoot.appendingPathComponent("scenarios/standard-sweep.json").path)
        #expect(standard.name == "standard")
        let covered = Set(standard.cells.map { "\($0.kind.rawValue)/\($0.subkind)" })
        for e in FailureCatalog.entries where e.subkind != "sudden" {  // `sudden` is `new_pattern`'s injection
            #expect(covered.contains("\(e.kind.rawValue)/\(e.subkind)"), "\(e.subkind)")
        }
        #expect(Set(standard.cells.compactMap(\.severity)) == [0.25, 0.5, 0.75, 1])
        #expect(Set(standard.cells.map(\.seedIndex)).count >= 5)
        #expect(standard.cells.filter(\.isControl).count >= 20)
        let validation = try SweepFile.load(packageRoot.appendingPathComponent("scenarios/validation-sweep.json").path)
        #expect(validation.name == "validation")
        #expect(Set(validation.cells.map(\.scenario.seed)).isDisjoint(with: Set(standard.cells.map(\.scenario.seed))))
        #expect(Set(validation.cells.compactMap(\.onsetDay)).isDisjoint(with: Set(standard.cells.compactMap(\.onsetDay))))
        #expect(validation.base.population != standard.base.population)
    }

    @Test("scenarios/sweep.schema.json is exactly the schema generated from the decoder's keys")
    func committedSchemaIsGenerated() throws {
        let path = packageRoot.appendingPathComponent("scenarios/sweep.schema.json").path
        let generated = SweepSchema.json().serialized()
        // Set DRIFTLAB_UPDATE_DOCS=1 to rewrite the file after changing the sweep keys.
        if ProcessInfo.processInfo.environment["DRIFTLAB_UPDATE_DOCS"] == "1" {
            try AtomicFile.write(generated, to: path)
        }
        #expect(try AtomicFile.readText(path) == generated, "scenarios/sweep.schema.json is out of date; run the tests once with DRIFTLAB_UPDATE_DOCS=1")
        let schema = SweepSchema.json()
        #expect(schema["properties"]?.objectValue?.map(\.0) == SweepFile.keys)
        #expect(schema["$defs"]?["cell"]?["properties"]?.objectValue?.map(\.0) == SweepFile.cellKeys)
    }
}
