/// DriftSim: the simulated card-transaction world, scenario files and failure injection.
public enum DriftSim {}
