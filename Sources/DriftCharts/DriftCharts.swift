/// DriftCharts: SVG charts and self-contained HTML reports, written by the project (no dependency).
public enum DriftCharts {}
