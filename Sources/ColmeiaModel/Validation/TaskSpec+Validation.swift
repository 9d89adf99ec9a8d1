extension TaskSpec {
    /// SwarmKit's `validateTaskSpec`: resources, restart policy, placement, secret and config
    /// references, then the container. `field` is the path of this spec (`TaskTemplate`).
    public func validate(field: String = "TaskTemplate") throws(ValidationError) {
        try resources?.validate(field: field + ".Resources")
        try restartPolicy?.validate(field: field + ".RestartPolicy")
        if let placement {
            do {
                _ = try PlacementConstraint.parse(placement.constraints)
            } catch {
                throw ValidationError(field: field + ".Placement.Constraints", message: error.message)
            }
        }
        try validateRuntime(field: field)
        if let containerSpec {
            try containerSpec.validateReferences(field: field + ".ContainerSpec")
            try containerSpec.validate(field: field + ".ContainerSpec")
        }
    }

    /// dockerd's runtime checks: a container task needs a `ContainerSpec`; plugin and
    /// attachment tasks are not supported.
    func validateRuntime(field: String) throws(ValidationError) {
        switch runtime {
        case "", .container:
            if containerSpec == nil {
                throw ValidationError(field: field + ".ContainerSpec", message: "mismatched Runtime and *Spec fields")
            }
        case .plugin:
            if extra["PluginSpec"] == nil {
                throw ValidationError(field: field + ".PluginSpec", message: "mismatched Runtime and *Spec fields")
            }
            throw ValidationError(field: field + ".Runtime", message: "runtime type \"plugin\" only supported in experimental")
        default:
            throw ValidationError(field: field + ".Runtime", message: "unsupported runtime")
        }
    }
}
