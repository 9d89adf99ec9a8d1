extension Network {
    /// The checks of ``NetworkCreateRequest/validate()`` that apply to a stored network:
    /// name, ingress not attachable, IPAM subnets. (The reserved-label check applies only
    /// to user requests, since the cluster creates its own predefined networks.)
    public func validate() throws(ValidationError) {
        if attachable && ingress {
            throw ValidationError(field: "Attachable", message: "ingress network cannot be attachable")
        }
        try NameRules.validateAnnotationsName(name, field: "Name")
        for (index, config) in ipam.config.enumerated() {
            try config.validate(field: "IPAM.Config[\(index)]")
        }
    }
}
