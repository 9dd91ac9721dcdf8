import Foundation

/// Approximate text measurement: the width of a label in a sans-serif font is taken as
/// characters x font size x 0.6 (a slight over-estimate for typical text), so layout can reserve
/// room and avoid collisions without a font engine.
public enum TextMetrics {
    public static let widthFactor = 0.6
    /// Height above the baseline and depth below it, as fractions of the font size.
    public static let ascent = 0.8
    public static let descent = 0.2

    public static func width(_ s: String, size: Double) -> Double {
        Double(s.count) * size * widthFactor
    }

    /// `s` cut to fit `maxWidth` with a trailing ellipsis; `truncated` says whether it was cut.
    public static func fit(_ s: String, maxWidth: Double, size: Double) -> (text: String, truncated: Bool) {
        if width(s, size: size) <= maxWidth { return (s, false) }
        let maxChars = Int(maxWidth / (size * widthFactor))
        if maxChars <= 1 { return (maxChars == 1 ? "…" : "", true) }
        return (String(s.prefix(maxChars - 1)) + "…", true)
    }
}

/// Shared sizes and colours of every chart.
public enum ChartStyle {
    public static let titleSize = 14.0
    public static let labelSize = 11.0
    public static let tickSize = 10.0
    public static let legendSize = 10.0
    public static let annotationSize = 9.0
    public static let fontFamily = "DejaVu Sans, Verdana, Arial, sans-serif"
    public static let axisColour = "#333333"
    public static let gridColour = "#e3e3e3"
    public static let textColour = "#222222"
    public static let margin = 10.0
}

/// Colour-blind-safe colours: the Okabe–Ito palette for categories (ordered so the strongest
/// colours come first and yellow, weak on white, comes last) and computed sequential scales.
public enum Palette {
    /// Okabe, M. & Ito, K. (2008) "Color Universal Design".
    public static let okabeIto = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

    /// The colour of category `i`; after eight categories the colours repeat (lines add dashes).
    public static func category(_ i: Int) -> String { okabeIto[((i % okabeIto.count) + okabeIto.count) % okabeIto.count] }

    /// A dash pattern telling apart series that share a colour (nil for the first eight).
    public static func dash(_ i: Int) -> String? {
        let patterns = [nil, "6 3", "2 2", "8 3 2 3"]
        return patterns[(max(0, i) / okabeIto.count) % patterns.count]
    }
}

/// A colour as 8-bit RGB, with hex text and relative luminance (WCAG) to choose readable text on it.
public struct RGB: Sendable, Equatable {
    public var r: Double, g: Double, b: Double   // 0...255

    public init(hex: String) {
        let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: "#") })
        func value(_ i: Int) -> Double {
            guard digits.count == 6 else { return 0 }
            func nibble(_ c: UInt8) -> Int {
                switch c {
                case 48...57: return Int(c) - 48
                case 97...102: return Int(c) - 87
                case 65...70: return Int(c) - 55
                default: return 0
                }
            }
            return Double(nibble(digits[i]) * 16 + nibble(digits[i + 1]))
        }
        r = value(0); g = value(2); b = value(4)
    }

    public init(r: Double, g: Double, b: Double) { self.r = r; self.g = g; self.b = b }

    public var hex: String {
        let hexDigits = Array("0123456789abcdef")
        func two(_ v: Double) -> String {
            let i = Int(min(255, max(0, v.rounded())))
            return String(hexDigits[i / 16]) + String(hexDigits[i % 16])
        }
        return "#" + two(r) + two(g) + two(b)
    }

    /// WCAG 2 relative luminance in 0...1.
    public var luminance: Double {
        func channel(_ v: Double) -> Double {
            let c = v / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }
}

/// A sequential colour scale: linear interpolation between evenly spaced anchor colours.
public struct ColourScale: Sendable {
    public let stops: [RGB]
    public init(stops: [String]) { self.stops = stops.map(RGB.init(hex:)) }

    /// ColorBrewer "Blues" (9 classes): white for zero, dark blue for the most.
    public static let blues = ColourScale(stops: ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"])
    /// Matplotlib's viridis sampled at 11 points (perceptually uniform, colour-blind-safe).
    public static let viridis = ColourScale(stops: ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"])

    /// The colour at `t` in 0...1 (clamped; NaN gives the first stop).
    public func colour(_ t: Double) -> RGB {
        guard stops.count > 1 else { return stops.first ?? RGB(r: 0, g: 0, b: 0) }
        let u = t.isNaN ? 0 : min(1, max(0, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(u))
        let f = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        return RGB(r: a.r + (b.r - a.r) * f, g: a.g + (b.g - a.g) * f, b: a.b + (b.b - a.b) * f)
    }
}

/// Readable text colour on a filled background.
func textColour(on background: RGB) -> String { background.luminance > 0.36 ? "#111111" : "#ffffff" }

