@testable import ColmeiaCLI
import ColmeiaModel
import Foundation
import Testing

/// The compose keys stacks use for containers and mounts, turned into the spec as
/// `docker stack deploy` does, and the keys it ignores or refuses, in its words.
struct ComposeContainerKeysTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.path + "/compose-keys-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func parse(_ text: String) throws -> ComposeProject {
        try ComposeLoader.parse(text, fileName: "stack.yml", directory: directory, environment: [:])
    }

    @Test("logging, extra_hosts, capabilities, sysctls, read_only, ulimits, dns, init, hostname, stop settings and tmpfs reach the spec")
    func containerKeys() throws {
        let project = try parse("""
            version: "3.8"
            services:
              app:
                image: app:1
                logging: {driver: json-file, options: {max-size: 1m}}
                extra_hosts: ["db:10.0.0.2", "cache=10.0.0.3", "v6:[::1]"]
                cap_add: [net_admin, CAP_SYS_TIME]
                cap_drop: [ALL]
                sysctls: [net.core.somaxconn=1024]
                read_only: true
                ulimits: {nproc: 512, nofile: {soft: 1024, hard: 2048}}
                dns: 10.0.0.53
                dns_search: [example.org]
                init: true
                hostname: app-host
                stop_signal: SIGINT
                stop_grace_period: 1m30s
                tmpfs: [/run, "/tmp:size=64m"]
            """)
        let service = try #require(project.services.first)
        let container = try #require(service.spec.taskTemplate.containerSpec)
        #expect(service.spec.taskTemplate.logDriver == Driver(name: "json-file", options: ["max-size": "1m"]))
        #expect(container.hosts == ["10.0.0.2 db", "10.0.0.3 cache", "::1 v6"])
        #expect(container.capabilityAdd == ["CAP_NET_ADMIN", "CAP_SYS_TIME"])
        #expect(container.capabilityDrop == ["ALL"])
        #expect(container.sysctls == ["net.core.somaxconn": "1024"])
        #expect(container.readOnly)
        #expect(container.ulimits == [Ulimit(name: "nofile", hard: 2048, soft: 1024), Ulimit(name: "nproc", hard: 512, soft: 512)])
        #expect(container.dnsConfig == DNSConfig(nameservers: ["10.0.0.53"], search: ["example.org"]))
        #expect(container.initProcess == true && container.hostname == "app-host" && container.stopSignal == "SIGINT")
        #expect(container.stopGracePeriod == 90_000_000_000)
        #expect(service.mounts.map(\.mount.type.rawValue) == ["tmpfs", "tmpfs"])
        #expect(service.mounts.map(\.mount.target) == ["/run", "/tmp"])
        #expect(service.mounts[1].mount.tmpfsOptions?.sizeBytes == 64 << 20)
    }

    @Test("volumes: short and long forms, binds resolved against the file, named volumes by key, with the stack's labels and driver at deploy")
    func volumes() throws {
        let project = try parse("""
            version: "3.8"
            services:
              app:
                image: app:1
                volumes:
                  - data:/data:ro
                  - ./conf:/etc/app
                  - /srv/static:/static:ro,rshared
                  - /anonymous
                  - type: volume
                    source: cache
                    target: /cache
                    volume: {nocopy: true}
                  - type: tmpfs
                    target: /scratch
                    tmpfs: {size: 1048576}
            volumes:
              data: {labels: {team: core}}
              cache: {driver: local, driver_opts: {type: tmpfs, device: tmpfs}}
              legacy: {external: true}
            """)
        let mounts = try #require(project.services.first?.mounts)
        #expect(mounts.map(\.mount.type.rawValue) == ["volume", "bind", "bind", "volume", "volume", "tmpfs"])
        #expect(mounts[0].volumeKey == "data" && mounts[0].mount.readOnly)
        #expect(mounts[1].mount.source == URL(fileURLWithPath: directory + "/conf").standardizedFileURL.path)
        #expect(mounts[2].mount.readOnly && mounts[2].mount.bindOptions?.propagation == "rshared")
        #expect(mounts[3].volumeKey == nil && mounts[3].mount.source.isEmpty)
        #expect(mounts[4].volumeKey == "cache" && mounts[4].mount.volumeOptions?.noCopy == true)
        #expect(project.volumes.first { $0.key == "legacy" }?.name == "legacy")

        let data = project.mount(mounts[0], stack: "st")
        #expect(data.source == "st_data")
        #expect(data.volumeOptions?.labels == ["com.docker.stack.namespace": "st", "team": "core"])
        #expect(data.volumeOptions?.driverConfig == nil)
        let cache = project.mount(mounts[4], stack: "st")
        #expect(cache.source == "st_cache" && cache.volumeOptions?.noCopy == true)
        #expect(cache.volumeOptions?.driverConfig == Driver(name: "local", options: ["type": "tmpfs", "device": "tmpfs"]))
    }

    @Test("an undefined volume is refused")
    func undefinedVolume() {
        #expect(throws: CLIError.self) {
            try parse("version: \"3.8\"\nservices:\n  app:\n    image: app:1\n    volumes: [missing:/data]\n")
        }
    }

    @Test("ignored and deprecated keys are named once, as docker stack deploy words it; forbidden keys stop the deploy")
    func ignoredAndForbiddenKeys() throws {
        let project = try parse("""
            version: "3.8"
            services:
              a: {image: app:1, privileged: true, restart: always, container_name: x}
              b: {image: app:1, build: ., expose: ["80"]}
            """)
        #expect(project.warnings.contains("Ignoring unsupported options: build, privileged, restart\n"))
        #expect(project.warnings.contains("Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\nexpose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.\n"))
        // `restart` still stands in for a missing restart policy.
        #expect(project.services.first?.spec.taskTemplate.restartPolicy?.condition == .any)
        #expect(throws: CLIError("Compose file contains unsupported options:\n\nmem_limit: Set resource limits using deploy.resources\n\nvolumes_from: To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.\n")) {
            try parse("""
                version: "3.8"
                services:
                  a: {image: app:1, mem_limit: 1g, volumes_from: [b]}
                """)
        }
    }
}

/// `--mount` with docker's syntax and words.
struct MountSpecTests {
    @Test("bind, volume and tmpfs mounts parse as docker parses them")
    func forms() throws {
        let bind = try MountSpec.parse("type=bind,src=/data,dst=/data,readonly,bind-propagation=rshared")
        #expect(bind == Mount(type: "bind", source: "/data", target: "/data", readOnly: true,
                              bindOptions: Mount.BindOptions(propagation: "rshared")))
        let volume = try MountSpec.parse("source=cache,target=/cache,volume-label=team=core,volume-driver=local,volume-opt=type=tmpfs,volume-nocopy")
        #expect(volume.type.rawValue == "volume" && volume.volumeOptions?.labels == ["team": "core"])
        #expect(volume.volumeOptions?.driverConfig == Driver(name: "local", options: ["type": "tmpfs"]) && volume.volumeOptions?.noCopy == true)
        let tmpfs = try MountSpec.parse("type=tmpfs,destination=/scratch,tmpfs-size=64m,tmpfs-mode=1770")
        #expect(tmpfs.tmpfsOptions == Mount.TmpfsOptions(sizeBytes: 64 << 20, mode: 0o1770))
        let quoted = try MountSpec.parse(#"type=volume,"volume-opt=o=addr=10.0.0.1,rw",target=/nfs"#)
        #expect(quoted.volumeOptions?.driverConfig?.options == ["o": "addr=10.0.0.1,rw"])
    }

    @Test("bad mounts are refused in docker's words", arguments: [
        ("type=bind,source=/a", "target is required"),
        ("target=/a,colour=blue", "unexpected key 'colour' in 'colour=blue'"),
        ("target=/a,bogus", "invalid field 'bogus' must be a key=value pair"),
        ("type=tmpfs,target=/a,volume-nocopy", "cannot mix 'volume-*' options with mount type 'tmpfs'"),
        ("type=volume,target=/a,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'"),
        ("type=tmpfs,target=/a,readonly=maybe", "invalid value for readonly: maybe"),
    ])
    func refusals(_ text: String, _ message: String) {
        #expect(throws: CLIError("invalid argument \"\(text)\" for \"--mount\" flag: \(message)")) { try MountSpec.parse(text) }
    }
}
