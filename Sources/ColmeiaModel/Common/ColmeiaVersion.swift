/// This build's versions: Colmeia's own, and the engine version it reports to Docker
/// clients (`docker version`, `docker info`).
public enum ColmeiaVersion {
    public static let engine = "28.2.2-colmeia"
    public static let colmeia = "0.1.0"
}
