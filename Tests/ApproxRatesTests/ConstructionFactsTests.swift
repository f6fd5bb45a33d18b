import Foundation
import Testing
import ApproxRates

/// Construction facts travel as types: the search hints come from them, never from the metadata's
/// text, and a network file with a misspelt fact is refused with the key named.
@Suite struct ConstructionFactsTests {
    func deep() throws -> Network {
        let target = try TargetCatalog.make("lacunary", dimension: 1, smoothness: 1, options: .init(seed: 3))
        return try BitExtraction.network(target, cells: 8, fine: 8)
    }

    @Test func deepNetworkCarriesItsFactsAndHintsFollowThem() throws {
        let net = try deep()
        let facts = try #require(net.construction)
        #expect(facts.kind == .deep && facts.cells == 8 && facts.fineCells == 8 && facts.bitsPerWeight != nil)
        let hints = ConstructionRegistry.searchHints(of: net)
        #expect(hints.sampledZones.count == 7)                       // N − 1 interior coarse nodes
        #expect(hints.samplingSpacing == 1 / Double(2 * 8 * 8))
        #expect(hints.minimumSweepUpdates == 300_000_000)
        // The metadata is for people: emptying it changes nothing the search does.
        var bare = net
        bare.metadata = [:]
        #expect(ConstructionRegistry.searchHints(of: bare) == hints)
        // The facts survive a file, and the hints with them.
        let back = try NetworkFile.decode(Data(NetworkFile.encode(net).utf8))
        #expect(back.construction == facts)
        #expect(ConstructionRegistry.searchHints(of: back) == hints)
        // A ReLU^2 copy keeps the facts and records the power.
        let window = ReLUByPower.window(forPrecision: net.weightPrecision, power: 2)
        let squared = try ReLUByPower.network(net, power: 2, windowExponent: window.exponent, precision: window.precision)
        #expect(squared.construction?.reluPower == 2 && squared.construction?.zoneHalfWidth == facts.zoneHalfWidth)
    }

    /// A misspelt or ill-typed fact cannot be constructed from a file: the load fails naming it.
    @Test(arguments: [
        ("\"kind\": \"deep\", \"N\": 8, \"M\": 8, \"zone_half_widht\": 0.01", "unknown key 'zone_half_widht'"),
        ("\"kind\": \"Deep Net\", \"N\": 8", "kind 'Deep Net' is not a construction name"),
        ("\"kind\": \"taylor\", \"partition\": \"b-spline\"", "partition 'b-spline' is not known"),
        ("\"kind\": \"deep\", \"N\": 0", "N is 0; it must be at least 1"),
        ("\"kind\": \"deep\", \"N\": \"8\"", "expected Int"),
        ("\"kind\": \"deep\", \"zone_half_width\": -1", "zone_half_width is -1.0; it must be a positive number"),
        ("\"N\": 8", "missing key 'kind'"),
        ("\"kind\": \"sine-lookup\", \"K\": 8, \"sine_result_bits\": 1", "sine_result_bits is 1; it must be a precision MPFR accepts"),
        ("\"kind\": \"sine-lookup\", \"K\": 8, \"sine_result_bits\": 0", "sine_result_bits is 0; it must be at least 1"),
    ])
    func misspeltFactsAreRefused(facts: String, message: String) throws {
        let text = NetworkFile.encode(Sawtooth.tooth())
            .replacingOccurrences(of: "\"construction\": {\"kind\":\"tooth\"}", with: "\"construction\": {\(facts)}")
        #expect(text.contains(facts))
        do {
            _ = try NetworkFile.decode(Data(text.utf8))
            Issue.record("a network with construction {\(facts)} was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    /// A file written before networks carried facts (metadata only) keeps its search: its facts
    /// are read once from the old metadata keys.
    @Test func legacyFilesKeepTheirFacts() throws {
        let net = try deep()
        let text = NetworkFile.encode(net)
        let start = try #require(text.range(of: "  \"construction\": "))
        let end = try #require(text[start.upperBound...].range(of: "\n"))
        let legacy = String(text[..<start.lowerBound]) + String(text[end.upperBound...])
        #expect(!legacy.contains("\"construction\": {"))
        let back = try NetworkFile.decode(Data(legacy.utf8))
        #expect(back.construction?.kind == .deep && back.construction?.cells == 8 && back.construction?.fineCells == 8)
        #expect(ConstructionRegistry.searchHints(of: back) == ConstructionRegistry.searchHints(of: net))
    }

    /// Library errors name the parameter, not a CLI flag: a plan's reader and the CLI each spell it
    /// their way.
    @Test func constructionErrorsNameParametersNotFlags() throws {
        for (call, parameter) in [({ _ = try ConstructionRegistry.named("deep", degree: nil, smoothness: 1, alpha: 1.5) }, "alpha"),
                                  ({ _ = try ConstructionRegistry.named("taylor", degree: 12, smoothness: 1) }, "degree"),
                                  ({ _ = try ConstructionRegistry.named("interpolation", degree: nil, smoothness: 1, alpha: 0.5) }, "alpha"),
                                  ({ _ = try ConstructionRegistry.named("deep", degree: nil, smoothness: 1, activation: .reluPower(9)) }, "activation")]
            as [(() throws -> Void, String)] {
            do { try call(); Issue.record("accepted a bad \(parameter)") } catch let e as ConstructionError {
                guard case .invalid(let p, _) = e else { Issue.record("\(e) does not name its parameter"); continue }
                #expect(p == parameter && !e.description.contains("--") && e.description.hasPrefix(parameter + " "), "\(e)")
                #expect(e.described { "--" + $0 }.hasPrefix("--" + parameter + " "))
            }
        }
    }

    /// A well-formed but unknown kind loads as data, and the constructions floor refuses it
    /// before anything is measured (the CLI's loader runs this check).
    @Test func unknownKindsAreRefusedByTheRegistry() throws {
        var net = try deep()
        #expect(throws: Never.self) { try ConstructionRegistry.checkKind(of: net) }
        net.construction?.kind = ConstructionFacts.Kind(rawValue: "deeep")
        let back = try NetworkFile.decode(Data(NetworkFile.encode(net).utf8))
        #expect(back.construction?.kind.rawValue == "deeep")
        do { try ConstructionRegistry.checkKind(of: back); Issue.record("an unknown kind was accepted") }
        catch { #expect("\(error)".contains("construction kind 'deeep' is not known: use interpolation, taylor, deep")) }
        for name in ConstructionRegistry.names + ConstructionRegistry.otherKinds.map(\.rawValue) {
            #expect(ConstructionRegistry.isKnown(ConstructionFacts.Kind(rawValue: name)))
        }
    }
}
