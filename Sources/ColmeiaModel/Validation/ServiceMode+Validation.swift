extension ServiceMode {
    /// SwarmKit's `validateMode` (more than one member set is caught by ``ServiceSpec/validate()``).
    public func validate() throws(ValidationError) {
        if let replicas = replicated?.replicas, replicas < 0 {
            throw ValidationError(field: "Mode.Replicated.Replicas", message: "Number of replicas must be non-negative")
        }
        if let job = replicatedJob {
            if let concurrent = job.maxConcurrent, concurrent < 0 {
                throw ValidationError(
                    field: "Mode.ReplicatedJob.MaxConcurrent", message: "Maximum concurrent jobs must not be negative")
            }
            if let total = job.totalCompletions, total < 0 {
                throw ValidationError(
                    field: "Mode.ReplicatedJob.TotalCompletions", message: "Total completed jobs must not be negative")
            }
        }
    }
}
