import DriftCore
import Foundation

/// The served-side injectors: schema changes and data-quality faults act on the features AFTER
/// the world drew them, so the label and the fraud probability (from the clean features) are
/// untouched and only what the model sees changes. Each fault reaches a row with probability
/// (affected share or rate) × strength, drawn from the day's own stream (seed, "served", day);
/// faults compose in scenario order. Every reached row gets the feature's bit in `alteredMask`.
enum Injectors {
    static func apply(to b: inout DayBatch, scenario: Scenario, stats: ReferenceStats) {
        var rng = Xoshiro256StarStar(seed: scenario.seed, stream: Shard.streamFor(purpose: 3, shard: 0, day: b.day))
        let n = b.count
        var duplicateRate = 0.0
        for a in b.activeFailures where a.kind == .schemaChange || a.kind == .dataQuality {
            let spec = scenario.failures[a.index]
            let features = TransactionSimulator.features(of: spec).compactMap { FeatureSchema.index(of: $0) }
            let s = a.strength
            switch (a.kind, a.subkind) {
            case (.schemaChange, "unit_scale"):
                let factor = spec.number("factor"), p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features { b.served.numeric[f][i] *= factor; b.alteredMask[i] |= 1 << UInt32(f) }
                }
            case (.schemaChange, "category_recode"):
                let rename = spec.text("mode") == "rename", p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features {
                        let base = Int32(FeatureSchema.baseLevels[f].count)
                        let code = b.served.codes[f][i]
                        guard code >= 0 && code < base else { continue }
                        b.served.codes[f][i] = rename ? code + base : (code + 1) % base
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.schemaChange, "column_swap"):
                guard features.count == 2 else { continue }
                let (f, g) = (features[0], features[1]), p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    let v = b.served.numeric[f][i]
                    b.served.numeric[f][i] = b.served.numeric[g][i]; b.served.numeric[g][i] = v
                    b.alteredMask[i] |= (1 << UInt32(f)) | (1 << UInt32(g))
                }
            case (.schemaChange, "timezone"):
                let offset = spec.number("offset_hours"), p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features {
                        let h = b.served.numeric[f][i]
                        if h.isNaN { continue }
                        var v = (h + offset).truncatingRemainder(dividingBy: 24)
                        if v < 0 { v += 24 }
                        b.served.numeric[f][i] = v
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.schemaChange, "boolean_flip"):
                let p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features where !b.served.numeric[f][i].isNaN {
                        b.served.numeric[f][i] = 1 - b.served.numeric[f][i]
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.schemaChange, "type_change"):
                let p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features {
                        b.served.numeric[f][i] = .nan
                        b.alteredMask[i] |= 1 << UInt32(f); b.textMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.schemaChange, "definition_skew"):
                let p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features where f >= FeatureSchema.count1h {
                        b.served.numeric[f][i] = b.alternative[f - FeatureSchema.count1h][i]
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.dataQuality, "missing"):
                let p = spec.number("rate") * s
                for f in features {
                    for i in 0..<n where rng.uniform() < p {
                        setMissing(&b, f, i)
                    }
                }
            case (.dataQuality, "noise"):
                let p = spec.number("rate") * s, sd = spec.number("noise_sd")
                for f in features {
                    let scale = sd * stats.sd[f]
                    for i in 0..<n where rng.uniform() < p {
                        b.served.numeric[f][i] += scale * rng.normal()
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.dataQuality, "out_of_range"):
                let p = spec.number("rate") * s
                for f in features {
                    for i in 0..<n where rng.uniform() < p {
                        let v = b.served.numeric[f][i]
                        b.served.numeric[f][i] = rng.uniform() < 0.5 ? 99999 : -(Swift.abs(v.isNaN ? 0 : v) + 1)
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.dataQuality, "stuck"):
                let p = spec.number("rate") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features { setValue(&b, f, i, stats.stuckValue[f]) }
                }
            case (.dataQuality, "dropped"):
                let asNull = spec.text("fill") == "null", p = spec.number("affected_share") * s
                for i in 0..<n where rng.uniform() < p {
                    for f in features {
                        if asNull { setMissing(&b, f, i) } else { setValue(&b, f, i, stats.median[f]) }
                    }
                }
            case (.dataQuality, "stale"):
                // Which customers' caches froze was decided in the world (per customer, by share × strength).
                for i in 0..<n where b.staleCustomer[i] != 0 {
                    for f in features where f >= FeatureSchema.count1h {
                        b.served.numeric[f][i] = b.cached[f - FeatureSchema.count1h][i]
                        b.alteredMask[i] |= 1 << UInt32(f)
                    }
                }
            case (.dataQuality, "duplicates"):
                duplicateRate = Swift.min(1, duplicateRate + spec.number("rate") * s)
            default:
                break
            }
        }
        if duplicateRate > 0 {
            var rows: [Int] = []
            rows.reserveCapacity(n + Int(Double(n) * duplicateRate) + 16)
            var copy: [Bool] = []
            for i in 0..<n {
                rows.append(i); copy.append(false)
                if rng.uniform() < duplicateRate { rows.append(i); copy.append(true) }
            }
            b = b.selecting(rows)
            for k in 0..<rows.count where copy[k] { b.isDuplicate[k] = 1 }
        }
    }

    @inline(__always) static func setMissing(_ b: inout DayBatch, _ f: Int, _ i: Int) {
        if FeatureSchema.isCategorical[f] { b.served.codes[f][i] = -1 } else { b.served.numeric[f][i] = .nan }
        b.alteredMask[i] |= 1 << UInt32(f)
    }

    @inline(__always) static func setValue(_ b: inout DayBatch, _ f: Int, _ i: Int, _ v: Double) {
        if FeatureSchema.isCategorical[f] { b.served.codes[f][i] = Int32(v) } else { b.served.numeric[f][i] = v }
        b.alteredMask[i] |= 1 << UInt32(f)
    }
}
