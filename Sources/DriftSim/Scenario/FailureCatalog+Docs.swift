import DriftCore

extension FailureCatalog.Entry {
    /// The served features this sub-kind may act on, in column order (empty when it takes none).
    public var allowedFeatureNames: [String] {
        ServedFeatures.all.filter { feature in
            allowedRoles.contains(feature.role) && (allowedFeatures?.contains(feature.name) ?? true)
        }.map(\.name)
    }

    /// "1 to 4 numeric or velocity features", "exactly 1 feature: hour", "none".
    var featureRuleText: String {
        if featureCount.upperBound == 0 { return "none" }
        let count = featureCount.lowerBound == featureCount.upperBound
            ? "exactly \(featureCount.lowerBound)" : "\(featureCount.lowerBound) to \(featureCount.upperBound)"
        let plural = featureCount.upperBound == 1 ? "feature" : "features"
        if let only = allowedFeatures { return "\(count) of: " + only.map { "`\($0)`" }.joined(separator: ", ") }
        if Set(allowedRoles) == Set(FailureCatalog.anyRole) { return "\(count) \(plural) of any role" }
        return "\(count) " + allowedRoles.map(\.rawValue).joined(separator: " or ") + " \(plural)"
    }
}

extension FailureCatalog {
    /// The catalog as a Markdown table, one row per sub-kind: meaning, features, default ramp and
    /// every parameter with its default formula in the severity s and its allowed values.
    /// scenarios/README.md embeds exactly this text (a test keeps them equal).
    public static func markdownTable() -> String {
        var lines = [
            "| kind | sub-kind | what it does | features (default; accepted) | default ramp_days | params: default at severity s, allowed values, meaning |",
            "|---|---|---|---|---|---|",
        ]
        for e in entries {
            let features = e.featureCount.upperBound == 0
                ? "none"
                : "default " + e.defaultFeatures.map { "`\($0)`" }.joined(separator: ", ") + "; " + e.featureRuleText
            let params = e.parameters.map { p -> String in
                let allowed: String
                if let choices = p.choices {
                    allowed = "one of " + choices.map { "`\($0)`" }.joined(separator: ", ")
                } else if let r = p.range {
                    allowed = "[\(JSON.format(r.lowerBound)), \(JSON.format(r.upperBound))]" + (p.wholeNumber ? ", whole" : "")
                } else {
                    allowed = "any"
                }
                return "`\(p.name)` = \(p.defaultText), \(allowed): \(p.meaning)"
            }.joined(separator: "<br>")
            lines.append("| `\(e.kind.rawValue)` | `\(e.subkind)` | \(escape(e.meaning)) | \(features) | \(e.defaultRampDays) | \(escape(params)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}

extension ServedFeatures {
    /// The served features as a Markdown table (name, role, meaning), for scenarios/README.md.
    public static func markdownTable() -> String {
        var lines = ["| feature | role | meaning |", "|---|---|---|"]
        for f in all { lines.append("| `\(f.name)` | \(f.role.rawValue) | \(FailureCatalog.escape(f.meaning)) |") }
        return lines.joined(separator: "\n") + "\n"
    }
}
