/// The tool version recorded in every manifest and model card.
public enum DriftLabVersion {
    public static let current = "0.1.0"
}
