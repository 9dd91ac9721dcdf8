import Foundation

/// Escaping and number text shared by the SVG and HTML writers: every byte they emit goes through
/// here, so output is well-formed XML and identical run to run.
public enum Markup {
    /// Text content: `&`, `<`, `>` escaped; control characters that XML 1.0 forbids become spaces.
    public static func escapeText(_ s: String) -> String { escape(s, attribute: false) }

    /// Attribute values (always written in double quotes): text escaping plus quotes and newlines.
    public static func escapeAttribute(_ s: String) -> String { escape(s, attribute: true) }

    private static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&#39;"
            case "\n" where attribute: out += "&#10;"
            case "\r" where attribute, "\t" where attribute: out += " "
            default: out.unicodeScalars.append(isXMLChar(scalar) ? scalar : " ")
            }
        }
        return out
    }

    /// XML 1.0 Char production without the tab/newline/carriage return (handled by the callers).
    static func isXMLChar(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v == 0x9 || v == 0xA || v == 0xD { return true }
        if v < 0x20 { return false }
        if v == 0xFFFE || v == 0xFFFF { return false }
        return true
    }

    /// A coordinate or length with at most `decimals` decimals, trailing zeros dropped ("12.5", "3",
    /// "-0.25"); non-finite values become "0" so a bad number never breaks the file.
    public static func number(_ v: Double, decimals: Int = 2) -> String {
        guard v.isFinite else { return "0" }
        let d = max(0, min(decimals, 12))
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let scaled = (Swift.abs(v) * scale).rounded()
        guard scaled < 9.0e15 else { return v < 0 ? "-" + largeInteger(Swift.abs(v)) : largeInteger(v) }
        var digits = String(Int64(scaled))
        var fraction = ""
        if d > 0 {
            if digits.count <= d { digits = String(repeating: "0", count: d - digits.count + 1) + digits }
            fraction = String(digits.suffix(d))
            digits = String(digits.dropLast(d))
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        let negative = v < 0 && scaled != 0
        return (negative ? "-" : "") + digits + (fraction.isEmpty ? "" : "." + fraction)
    }

    private static func largeInteger(_ v: Double) -> String {
        // Beyond 2^53 every double is an integer; C's "%.0f" prints it exactly and locale-free.
        String(format: "%.0f", v)
    }
}

/// Builds an SVG document as text, one element at a time. Attributes keep the order given,
/// numbers go through `Markup.number`, so the same calls give the same bytes.
public struct SVGWriter: Sendable {
    public private(set) var body = ""
    private var depth = 0

    public init() {}

    /// One attribute: a name and its value, already a string or a number.
    public enum Value: Sendable {
        case text(String)
        case number(Double)
    }

    private mutating func attributes(_ attrs: [(String, Value)]) {
        for (name, value) in attrs {
            body += " " + name + "=\""
            switch value {
            case .text(let s): body += Markup.escapeAttribute(s)
            case .number(let v): body += Markup.number(v)
            }
            body += "\""
        }
    }

    private mutating func indent() { body += String(repeating: " ", count: depth) }

    /// `<name attrs>` leaving the element open for children.
    public mutating func open(_ name: String, _ attrs: [(String, Value)] = []) {
        indent()
        body += "<" + name
        attributes(attrs)
        body += ">\n"
        depth += 1
    }

    /// Closes the innermost open element named `name`.
    public mutating func close(_ name: String) {
        depth = max(0, depth - 1)
        indent()
        body += "</" + name + ">\n"
    }

    /// A complete element: empty (`<rect .../>`), with escaped text, and/or with a `<title>` tooltip.
    public mutating func element(_ name: String, _ attrs: [(String, Value)], text: String? = nil, tooltip: String? = nil) {
        indent()
        body += "<" + name
        attributes(attrs)
        if text == nil && tooltip == nil {
            body += "/>\n"
            return
        }
        body += ">"
        if let tooltip { body += "<title>" + Markup.escapeText(tooltip) + "</title>" }
        if let text { body += Markup.escapeText(text) }
        body += "</" + name + ">\n"
    }

    /// A text label at (x, y) = (anchor point, baseline); `rotation` in degrees about that point.
    public mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: TextAnchor = .start,
                              rotation: Double = 0, weight: String? = nil, fill: String? = nil,
                              tooltip: String? = nil, cssClass: String? = nil) {
        var attrs: [(String, Value)] = [("x", .number(x)), ("y", .number(y)), ("font-size", .number(size))]
        if anchor != .start { attrs.append(("text-anchor", .text(anchor.rawValue))) }
        if rotation != 0 {
            attrs.append(("transform", .text("rotate(\(Markup.number(rotation)) \(Markup.number(x)) \(Markup.number(y)))")))
        }
        if let weight { attrs.append(("font-weight", .text(weight))) }
        if let fill { attrs.append(("fill", .text(fill))) }
        if let cssClass { attrs.append(("class", .text(cssClass))) }
        element("text", attrs, text: s, tooltip: tooltip)
    }

    /// Raw, already well-formed markup (a nested chart's body).
    public mutating func append(raw: String) { body += raw }
}

/// SVG `text-anchor` values.
public enum TextAnchor: String, Sendable {
    case start, middle, end
}

/// Path data: "M x y L x y ..." with fixed-precision numbers.
struct PathBuilder {
    var d = ""
    mutating func move(_ x: Double, _ y: Double) { d += (d.isEmpty ? "" : " ") + "M" + Markup.number(x) + " " + Markup.number(y) }
    mutating func line(_ x: Double, _ y: Double) { d += " L" + Markup.number(x) + " " + Markup.number(y) }
    mutating func closePath() { d += " Z" }
}
