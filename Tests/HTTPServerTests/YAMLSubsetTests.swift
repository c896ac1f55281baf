import Testing
@testable import HTTPServer

/// The YAML that web config files are written in: what a YAML library would read, or a refusal naming the line.
@Suite struct YAMLSubsetTests {
    private func mapping(_ text: String) throws -> [String: YAMLNode] {
        let node = try YAMLSubset.parse(text)
        guard case .mapping(let entries) = node.kind else { Issue.record("not a mapping: \(node)"); return [:] }
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
    }

    private func scalar(_ node: YAMLNode?) -> String? {
        if case .scalar(let text)? = node?.kind { return text }
        return nil
    }

    @Test("exporter-toolkit's sample web-config.yml: comments, nested mappings, a list at its key's indentation")
    func toolkitSample() throws {
        let text = """
            # TLS and basic authentication configuration example.
            #
            # Additionally, a certificate and a key file are needed.
            tls_server_config:
              cert_file: server.crt
              key_file: server.key

            # Usernames and passwords required to connect.
            basic_auth_users:
              alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
              bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m

            basic_auth_excluded_paths:
            - /-/healthy
            - /-/ready   # probes
            """
        let top = try mapping(text)
        guard case .mapping(let tls)? = top["tls_server_config"]?.kind else { Issue.record("tls"); return }
        #expect(tls.map(\.key) == ["cert_file", "key_file"])
        #expect(scalar(tls[1].value) == "server.key")
        guard case .mapping(let users)? = top["basic_auth_users"]?.kind else { Issue.record("users"); return }
        #expect(scalar(users[0].value) == "$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze")
        #expect(users[1].value.line == 11)
        guard case .sequence(let paths)? = top["basic_auth_excluded_paths"]?.kind else { Issue.record("paths"); return }
        #expect(paths.map(scalar) == ["/-/healthy", "/-/ready"])
    }

    @Test("quoted scalars: escapes, '' in single quotes, # inside quotes is not a comment")
    func quoting() throws {
        let top = try mapping("""
            a: "x\\"y\\\\z\\t\\u00e9"   # comment
            b: 'it''s # not a comment'
            "c d": plain value with: colon
            e: value#nospace
            f: ~
            g:
            h: ''
            """)
        #expect(scalar(top["a"]) == "x\"y\\z\té")
        #expect(scalar(top["b"]) == "it's # not a comment")
        #expect(scalar(top["c d"]) == "plain value with: colon")
        #expect(scalar(top["e"]) == "value#nospace")
        #expect(top["f"]?.kind == .null)
        #expect(top["g"]?.kind == .null)
        #expect(scalar(top["h"]) == "")
    }

    @Test("block scalars: an inline PEM under `|`, chomping with `|-` and `|+`, folding with `>`")
    func blockScalars() throws {
        let top = try mapping("""
            cert: |
              -----BEGIN CERTIFICATE-----
              MIIB
              -----END CERTIFICATE-----
            stripped: |-
                two
                  indented

            kept: |+
              x

            folded: >
              one
              two

              three
            after: yes
            """)
        #expect(scalar(top["cert"]) == "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        #expect(scalar(top["stripped"]) == "two\n  indented")
        #expect(scalar(top["kept"]) == "x\n\n")
        #expect(scalar(top["folded"]) == "one two\nthree\n")
        #expect(scalar(top["after"]) == "yes")
    }

    @Test("flow lists and an empty flow mapping")
    func flow() throws {
        let top = try mapping("""
            ---
            suites: [TLS_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" ]
            empty: []
            none: {}
            """)
        guard case .sequence(let suites)? = top["suites"]?.kind else { Issue.record("suites"); return }
        #expect(suites.map(scalar) == ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
        #expect(top["empty"]?.kind == .sequence([]))
        #expect(top["none"]?.kind == .mapping([]))
    }

    @Test("what it does not read is refused with the line", arguments: [
        ("a: 1\na: 2", 2, "appears twice"),
        ("a:\n\tb: 1", 2, "tabs"),
        ("a: &anchor x", 1, "anchors"),
        ("a: *alias", 1, "anchors"),
        ("a: [x, y", 1, "close on its line"),
        ("a: \"open", 1, "close on its line"),
        ("a: {b: c}", 1, "flow mappings"),
        ("a:\n  - b: c", 2, "mappings inside lists"),
        ("a: 1\n  b: 2", 2, "unexpected indentation"),
        ("a:\n  b: 1\n c: 2", 3, "unexpected indentation"),
        ("just text\nmore", 2, "unexpected indentation"),
        ("a: \"x\" y", 1, "after the closing quote"),
        ("a: \"\\q\"", 1, "unknown escape"),
    ])
    func refused(text: String, line: Int, message: String) {
        #expect {
            _ = try YAMLSubset.parse(text)
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }

    @Test("an empty file or only comments is an empty document")
    func empty() throws {
        #expect(try YAMLSubset.parse("").kind == .null)
        #expect(try YAMLSubset.parse("# nothing\n\n").kind == .null)
    }
}
