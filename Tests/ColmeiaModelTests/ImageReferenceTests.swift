import Testing

@testable import ColmeiaModel

@Suite("Image references")
struct ImageReferenceTests {
    @Test("accepts what docker accepts", arguments: [
        "nginx", "nginx:alpine", "library/nginx:1.27", "docker.io/library/nginx:latest",
        "nginx:alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
        "nginx@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
        "localhost:5000/app", "registry.example.com:5000/shop/api:1.4.2", "[::1]:5000/app:v1",
        "ghcr.io/owner-org/app:tag", "my_org/my__app", "a/b-c---d/e.f_g", "redis:7.2.4-alpine3.19", "x:_",
        "Registry.Example.com/app",
    ])
    func valid(reference: String) {
        #expect(ImageReference.isValid(reference))
    }

    @Test("rejects what docker rejects", arguments: [
        "", "Nginx", "library/Nginx", "ghcr.io/Owner/app", "nginx:", "nginx:-tag", ":tag", "nginx@sha256:short", "nginx@sha256:",
        "nginx@", "/nginx", "nginx/", "ngi nx", "nginx..x", "nginx_-x", "-nginx", "localhost:port/app",
        "a//b", String(repeating: "a", count: 256), "nginx:" + String(repeating: "t", count: 129),
        "65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
    ])
    func invalid(reference: String) {
        #expect(!ImageReference.isValid(reference))
    }
}
