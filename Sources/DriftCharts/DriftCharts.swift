/// DriftCharts: SVG charts and self-contained HTML reports, written by the project (no dependency).
/// Charts take plain data (arrays of Double and String), so any module can draw them.
public enum DriftCharts {}
