extension Secret {
    /// This secret as the API returns it: everything but `Spec.Data`, which never leaves
    /// the cluster through the API.
    public func redactedForAPI() -> Secret {
        var copy = self
        copy.spec.data = nil
        return copy
    }
}
