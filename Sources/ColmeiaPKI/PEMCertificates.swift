import X509

/// Reading and writing PEM bundles of certificates without naming SwiftASN1's types.
enum PEMCertificates {
    private static let begin = "-----BEGIN CERTIFICATE-----"
    private static let end = "-----END CERTIFICATE-----"

    /// Every `CERTIFICATE` block of `pem`, in order; `what` names the text in errors.
    static func parse(_ pem: String, what: String) throws(PKIError) -> [Certificate] {
        var certificates: [Certificate] = []
        var rest = pem[...]
        while let start = rest.firstRange(of: begin) {
            guard let stop = rest[start.upperBound...].firstRange(of: end) else {
                throw .malformedPEM(what: what, reason: "a certificate block has no END line")
            }
            let block = String(rest[start.lowerBound..<stop.upperBound])
            do {
                certificates.append(try Certificate(pemEncoded: block))
            } catch {
                throw .malformedPEM(what: what, reason: "\(error)")
            }
            rest = rest[stop.upperBound...]
        }
        return certificates
    }

    /// The one certificate of `pem`, refusing a bundle.
    static func parseOne(_ pem: String, what: String) throws(PKIError) -> Certificate {
        let certificates = try parse(pem, what: what)
        guard certificates.count == 1, let certificate = certificates.first else {
            throw .malformedPEM(what: what, reason: "expected exactly one certificate, found \(certificates.count)")
        }
        return certificate
    }

    /// `certificate` as a PEM block ending in a newline.
    static func encode(_ certificate: Certificate) throws(PKIError) -> String {
        do {
            return try certificate.serializeAsPEM().pemString + "\n"
        } catch {
            throw .signingFailed(reason: "could not encode the certificate: \(error)")
        }
    }

    /// The DER bytes of `certificate`.
    static func der(_ certificate: Certificate) throws(PKIError) -> [UInt8] {
        do {
            return try certificate.serializeAsPEM().derBytes
        } catch {
            throw .signingFailed(reason: "could not encode the certificate: \(error)")
        }
    }
}
