/// DriftDetectors: two-sample tests, data-quality checks, model-output monitors, stream detectors.
public enum DriftDetectors {}
