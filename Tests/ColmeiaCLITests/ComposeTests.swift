@testable import ColmeiaCLI
import ColmeiaModel
import Foundation
import Testing

/// Compose v3 files into stack objects: deploy, secrets, configs, networks, `${VAR}`, and
/// errors that point at the line and column.
struct ComposeTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.path + "/compose-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func parse(_ text: String, environment: [String: String] = [:]) throws -> ComposeProject {
        try ComposeLoader.parse(text, fileName: "stack.yml", directory: directory, environment: environment)
    }

    func error(_ text: String, environment: [String: String] = [:]) -> String? {
        do {
            _ = try parse(text, environment: environment)
            return nil
        } catch let error as CLIError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("services with deploy, ports, networks, secrets, configs and interpolation")
    func full() throws {
        try "s3cret".write(toFile: directory + "/pw.txt", atomically: true, encoding: .utf8)
        let project = try parse("""
            version: "3.8"
            services:
              web:
                image: nginx:${TAG:-1.27}
                command: ["nginx", "-g", "daemon off;"]
                environment:
                  MODE: ${MODE}
                  EMPTY:
                ports:
                  - "8080:80"
                  - target: 443
                    published: 8443
                    mode: host
                networks: [front]
                secrets:
                  - db_password
                  - source: db_password
                    target: /etc/pw
                    mode: 0400
                configs: [site]
                deploy:
                  replicas: ${REPLICAS}
                  labels: [tier=web]
                  placement:
                    constraints: [node.role==worker]
                    preferences:
                      - spread: node.labels.zone
                  update_config:
                    parallelism: 2
                    delay: 10s
                    order: start-first
                  restart_policy:
                    condition: on-failure
                    max_attempts: 3
                  resources:
                    limits: {cpus: "0.5", memory: 128M}
              agent:
                image: busybox
                build: .
                deploy:
                  mode: global
            networks:
              front:
                driver: overlay
                attachable: true
            secrets:
              db_password:
                file: ./pw.txt
            configs:
              site:
                external: true
            """, environment: ["MODE": "prod", "REPLICAS": "3"])
        #expect(project.services.map(\.key) == ["web", "agent"])
        let web = project.services[0].spec
        #expect(web.taskTemplate.containerSpec?.image == "nginx:1.27")
        #expect(web.taskTemplate.containerSpec?.args == ["nginx", "-g", "daemon off;"])
        #expect(web.taskTemplate.containerSpec?.env == ["MODE=prod"])
        #expect(web.mode.replicated?.replicas == 3)
        #expect(web.labels == ["tier": "web"])
        #expect(web.endpointSpec?.ports == [
            PortConfig(protocol: .tcp, targetPort: 80, publishedPort: 8080, publishMode: .ingress),
            PortConfig(protocol: .tcp, targetPort: 443, publishedPort: 8443, publishMode: .host),
        ])
        #expect(web.taskTemplate.placement?.constraints == ["node.role==worker"])
        #expect(web.updateConfig?.parallelism == 2)
        #expect(web.updateConfig?.delay == 10_000_000_000)
        #expect(web.updateConfig?.order == .startFirst)
        #expect(web.taskTemplate.restartPolicy?.condition == .onFailure)
        #expect(web.taskTemplate.restartPolicy?.maxAttempts == 3)
        #expect(web.taskTemplate.resources?.limits?.memoryBytes == 134_217_728)
        #expect(project.services[0].networks.map(\.key) == ["front"])
        #expect(project.services[0].secrets.map(\.target) == ["db_password", "/etc/pw"])
        #expect(project.services[0].secrets[1].mode == 0o400)
        #expect(project.services[0].configs.map(\.target) == ["/site"])
        #expect(project.services[1].spec.mode == ServiceMode(global: .init()))
        #expect(project.networks.first?.request.attachable == true)
        #expect(project.secrets.first?.data == Data("s3cret".utf8))
        #expect(project.configs.first?.external == true)
        #expect(project.warnings.contains { $0.contains("build") })
    }

    @Test("interpolation: defaults, required values, escapes")
    func interpolation() throws {
        let interpolation = ComposeInterpolation(environment: ["A": "1", "EMPTY": ""])
        #expect(try interpolation.apply("$A-${A}-${B:-x}-${EMPTY:-y}-${EMPTY-z}-$$A") == "1-1-x-y--$A")
        #expect(throws: CLIError("required variable B is missing a value: need B")) { try interpolation.apply("${B:?need B}") }
        #expect(throws: CLIError.self) { try interpolation.apply("${A") }
    }

    @Test("YAML syntax errors carry line and column")
    func syntax() {
        let message = error("""
            services:
              web:
                image: nginx
               ports: [80
            """)
        #expect(message?.hasPrefix("stack.yml:4:") == true, "\(message ?? "")")
    }

    @Test("wrong values point at the offending line and column", arguments: [
        ("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n", "stack.yml:5:17: services.web.deploy.replicas must be an integer ≥ 0: \"many\""),
        ("services:\n  web:\n    image: nginx\n    colour: red\n", "stack.yml:4:13: services.web Additional property colour is not allowed"),
        ("services:\n  web:\n    image: nginx\n    deploy:\n      update_config:\n        delay: soon\n", "stack.yml:6:16: services.web.deploy.update_config.delay: invalid duration \"soon\""),
        ("version: \"2\"\nservices:\n  web:\n    image: nginx\n", "stack.yml:1:10: unsupported Compose file version: 2; stack deploy needs version 3 or later"),
        ("services:\n  web:\n    image: nginx:${TAG:?set TAG}\n", "stack.yml:3:12: services.web.image: required variable TAG is missing a value: set TAG"),
        ("services:\n  web:\n    command: sleep\n", "stack.yml:3:5: services.web: image must be set (a stack cannot build images)"),
        ("secrets:\n  pw:\n    file: ./missing.txt\nservices:\n  web:\n    image: nginx\n", "stack.yml:3:11: secrets.pw.file: open "),
        ("services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints: [zone]\n", "stack.yml:6:23: services.web.deploy.placement.constraints: constraint expected one operator from ==, !=: \"zone\""),
    ])
    func located(text: String, expected: String) {
        let message = error(text)
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "no error")")
    }

    @Test("references to undefined networks or secrets are refused")
    func undefined() {
        #expect(error("services:\n  web:\n    image: nginx\n    networks: [back]\n")?.contains("undefined network back") == true)
        #expect(error("services:\n  web:\n    image: nginx\n    secrets: [pw]\n")?.contains("undefined secret pw") == true)
    }

    @Test("a missing file is one line")
    func missingFile() {
        #expect(throws: CLIError("open /nonexistent/stack.yml: no such file or directory")) {
            try ComposeLoader.load(path: "/nonexistent/stack.yml", environment: [:])
        }
    }
}
