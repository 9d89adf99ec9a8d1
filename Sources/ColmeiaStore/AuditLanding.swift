import ColmeiaModel

/// What apply knows about an event that landed, for its audit row.
struct AuditLanding {
    /// The object as stored (secret data, CA key and unlock key already removed); a
    /// removal's is `{"ID": …}`.
    var payload: String
    /// The payload without registry credentials, when it has any.
    var redacted: String?
    /// The change from the object's previous version when apply knows it without a diff
    /// (a task's status or assignment), else nil and computed from the previous row.
    var patch: JSONPatch?
    /// The object's name and service, when the event carries them (else the previous row's).
    var name: String?
    var serviceID: String?

    init(payload: String, redacted: String? = nil, patch: JSONPatch? = nil, name: String? = nil, serviceID: String? = nil) {
        self.payload = payload
        self.redacted = redacted
        self.patch = patch
        self.name = name
        self.serviceID = serviceID
    }

    /// What readers outside the cluster may see.
    var shown: String { redacted ?? payload }
}
