extension ServiceSpec {
    /// This spec with the defaults SwarmKit applies written out, as dockerd returns it for
    /// `GET /services/{id}?insertDefaults=true` (the docker CLI asks for it before an update).
    public func withDefaultsInserted() -> ServiceSpec {
        var spec = self
        spec.mode = spec.mode.normalized
        let update = UpdateConfig(parallelism: 1, delay: 0, failureAction: "pause", monitor: 5_000_000_000,
                                  maxFailureRatio: 0, order: "stop-first")
        var updateConfig = spec.updateConfig ?? update
        if updateConfig.failureAction.rawValue.isEmpty { updateConfig.failureAction = "pause" }
        if updateConfig.monitor == 0 { updateConfig.monitor = 5_000_000_000 }
        if updateConfig.order.rawValue.isEmpty { updateConfig.order = "stop-first" }
        spec.updateConfig = updateConfig
        var rollbackConfig = spec.rollbackConfig ?? update
        if rollbackConfig.failureAction.rawValue.isEmpty { rollbackConfig.failureAction = "pause" }
        if rollbackConfig.monitor == 0 { rollbackConfig.monitor = 5_000_000_000 }
        if rollbackConfig.order.rawValue.isEmpty { rollbackConfig.order = "stop-first" }
        spec.rollbackConfig = rollbackConfig
        var restart = spec.taskTemplate.restartPolicy ?? RestartPolicy(condition: "any")
        if restart.condition.rawValue.isEmpty { restart.condition = "any" }
        if restart.delay == nil { restart.delay = 5_000_000_000 }
        if restart.maxAttempts == nil { restart.maxAttempts = 0 }
        spec.taskTemplate.restartPolicy = restart
        if var container = spec.taskTemplate.containerSpec, container.stopGracePeriod == nil {
            container.stopGracePeriod = 10_000_000_000
            spec.taskTemplate.containerSpec = container
        }
        var endpoint = spec.endpointSpec ?? EndpointSpec()
        if endpoint.mode.rawValue.isEmpty { endpoint.mode = "vip" }
        spec.endpointSpec = endpoint
        return spec
    }
}
