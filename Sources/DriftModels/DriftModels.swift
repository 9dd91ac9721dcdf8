/// DriftModels: feature encoding, logistic regression, gradient-boosted stumps, metrics.
public enum DriftModels {}
