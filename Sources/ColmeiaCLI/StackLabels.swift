/// The labels docker puts on a stack's objects.
public enum StackLabels {
    /// The stack an object belongs to.
    public static let namespace = "com.docker.stack.namespace"
    /// The image as written in the compose file.
    public static let image = "com.docker.stack.image"
}
