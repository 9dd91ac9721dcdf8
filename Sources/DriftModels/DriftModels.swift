/// DriftModels: feature encoding, logistic regression, gradient-boosted stumps, metrics,
/// thresholds, calibration and the model file with its card. See docs/models.md.
public enum DriftModels {}

/// A problem training, saving, loading or applying a model: names the file, the column or the
/// CSV line and what to fix.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// The label column is not in the data.
    case missingLabel(String, available: [String])
    /// A label cell that is not 0 or 1 (`line` is the CSV line where known, else the data row; an
    /// empty `value` is a missing label: an empty cell or a missing marker such as NA).
    case badLabel(file: String? = nil, column: String, line: Int, value: String)
    /// Training needs both classes.
    case oneClass(column: String, value: Int, rows: Int)
    /// Both classes are in the data but the training part (after the most recent rows are held out) holds one.
    case oneClassInTrainingPart(column: String, value: Int, rows: Int, heldOut: Int)
    /// Nothing to train on.
    case noRows
    /// No usable feature columns remain after exclusions.
    case noFeatures
    /// A model file that cannot be read as a DriftLab model.
    case corruptModel(path: String, field: String, reason: String)
    /// A configuration value out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .missingLabel(name, available):
            var s = "no label column '\(name)'"
            if let guess = closestMatch(to: name, in: available) { s += " (did you mean '\(guess)'?)" }
            return s + "; pass --label with one of: " + available.joined(separator: ", ")
        case let .badLabel(file, column, line, value):
            let found = value.isEmpty ? "a missing label (an empty cell, or a missing-value text such as NA)" : "'\(value)'"
            return "\(file.map { "\($0):\(line)" } ?? "line \(line)"): label column '\(column)' must be 0 or 1 (true/false), found \(found); fix or drop the row"
        case let .oneClass(column, value, rows):
            return "label column '\(column)' is \(value) on all \(rows) rows; training needs both frauds (1) and legitimate (0) rows"
        case let .oneClassInTrainingPart(column, value, rows, heldOut):
            return "label column '\(column)' is \(value) on all \(rows) training rows (the oldest, after holding out the \(heldOut) most recent for validation): "
                + "the other class is only in the held-out rows; lower --validation or add older rows"
        case .noRows: return "the data has no rows; training needs labelled rows"
        case .noFeatures: return "no feature columns remain after the exclusions (train's --exclude, or a column map's roles and 'ignore')"
        case let .corruptModel(path, field, reason):
            return field.isEmpty ? "\(path): not a usable model file: \(reason)"
                : "\(path): not a usable model file: \(field): \(reason)"
        case .invalidConfiguration(let m): return "invalid model configuration: \(m)"
        }
    }

    /// Whether the message already names a file; the commands prefix the others with the data file.
    public var namesFile: Bool {
        switch self {
        case .badLabel(let file, _, _, _): return file != nil
        case .corruptModel: return true
        default: return false
        }
    }
}

import DriftCore
