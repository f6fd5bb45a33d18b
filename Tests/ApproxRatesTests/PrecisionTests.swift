import CMPFR
import PropertyBased
import Testing
import ApproxRates

/// sqrt(2) to 1000 decimals (floor), from exact integer square root (Python's math.isqrt of 2*10^2000).
let sqrt2Digits = "14142135623730950488016887242096980785696718753769480731766797379907324784621070388503875343276415727350138462309122970249248360558507372126441214970999358314132226659275055927557999505011527820605714701095599716059702745345968620147285174186408891986095523292304843087143214508397626036279952514079896872533965463318088296406206152583523950547457502877599617298355752203375318570113543746034084988471603868999706990048150305440277903164542478230684929369186215805784631115966687130130156185689872372352885092648612494977154218334204285686060146824720771435854874155657069677653720226485447015858801620758474922657226002085584466521458398893944370926591800311388246468157082630100594858704003186480342194897278290641045072636881313739855256117322040245091227700226941127573627280495738108967504018369868368450725799364729060762996941380475654823728997180326802474420629269124859052181004459842150591120249441341728531478105803603371077309182869314710171111683916581726889419758716582152128229518488472"

@Suite struct PrecisionTests {
    @Test func sqrt2At4096BitsMatchesKnownDigits() throws {
        let p = try Precision(bits: 4096)
        let r = BigFloat(2, precision: p).squareRoot()
        #expect(!r.isExact)
        // 4096 bits carry 1233 decimals; compare the first 1000 (truncated, so round down).
        let text = r.formatted(significantDigits: 1002, rounding: .down)   // d.ddd...e+00
        let digits = text.replacingOccurrences(of: ".", with: "").prefix(1001)
        #expect(String(digits) == sqrt2Digits)
    }

    @Test func sqrt2At4096BitsIsCorrectlyRounded() throws {
        // |r - sqrt 2| <= ulp/2  <=>  (r - ulp/2)^2 <= 2 <= (r + ulp/2)^2, all squared exactly.
        let p = try Precision(bits: 4096), wide = try Precision(bits: 8300)
        let r = BigFloat(2, precision: p).squareRoot()
        let halfUlp = BigFloat(1.0).scaled(byPowerOfTwo: -4096)      // r in [1, 2): ulp = 2^-4095
        let below = r.subtracting(halfUlp, precision: wide), above = r.adding(halfUlp, precision: wide)
        let two = BigFloat(2, precision: wide)
        #expect(below.multiplied(by: below, precision: wide) < two)
        #expect(above.multiplied(by: above, precision: wide) > two)
        #expect(below.asStoredValue.multiplied(by: below.asStoredValue, precision: wide).isExact)   // the squares above were exact
    }

    @Test func precisionIsValidated() {
        #expect(throws: PrecisionError.outOfRange(1)) { try Precision(bits: 1) }
        #expect(throws: PrecisionError.outOfRange(0)) { try Precision(bits: 0) }
        #expect(throws: PrecisionError.outOfRange(Int.max)) { try Precision(bits: Int.max) }
        #expect((try? Precision(bits: 2)) != nil)
        #expect(Precision.maximumBits == Int(cmpfr_prec_max()))
    }

    @Test func exactnessIsTracked() throws {
        let p = try Precision(bits: 64)
        let a = try BigFloat(parsing: "0.375", precision: p), b = try BigFloat(parsing: "0x1.8p-2", precision: p)
        #expect(a.isExact && b.isExact && a == b)
        #expect(!(try BigFloat(parsing: "0.1", precision: p)).isExact)
        #expect((a + b).isExact)
        #expect(!(BigFloat(1, precision: p) / BigFloat(3, precision: p)).isExact)
        #expect(!BigFloat.pi(precision: p).isExact)
    }

    @Test func directedRoundingBracketsTheValue() throws {
        let p = try Precision(bits: 80)
        let one = BigFloat(1, precision: p), three = BigFloat(3, precision: p)
        let down = one.divided(by: three, rounding: .down), up = one.divided(by: three, rounding: .up)
        let near = one.divided(by: three)
        #expect(down < up)
        #expect(down <= near && near <= up)
        #expect(up.subtracting(down) == BigFloat(1.0).scaled(byPowerOfTwo: -81))  // one ulp of a number in [1/4, 1/2)
    }

    @Test func floorIsExactForLargeScaledValues() throws {
        // floor of 2^200 + 1/2 at 256 bits is 2^200 exactly (mpfr_rint_floor, not a second rounding).
        let p = try Precision(bits: 256)
        let big = BigFloat(1, precision: p).scaled(byPowerOfTwo: 200).adding(BigFloat(0.5))
        #expect(big.floor() == BigFloat(1, precision: p).scaled(byPowerOfTwo: 200))
        #expect(big.floor().isExact)
        #expect(try BigFloat(parsing: "-2.5", precision: p).floor() == BigFloat(-3, precision: p))
    }

    @Test func elementaryFunctionsAgreeWithIdentities() throws {
        let p = try Precision(bits: 200)
        let x = try BigFloat(parsing: "0.7", precision: p)
        let s = x.sin(), c = x.cos()
        let one = s.multiplied(by: s).adding(c.multiplied(by: c))
        #expect(one.subtracting(BigFloat(1, precision: p)).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -195))
        #expect(x.exp().log().subtracting(x).magnitude() < BigFloat(1.0).scaled(byPowerOfTwo: -195))
        #expect(BigFloat(2, precision: p).pow(10) == BigFloat(1024, precision: p))
        #expect(BigFloat(-3, precision: p).magnitude() == BigFloat(3, precision: p))
        #expect(BigFloat(9, precision: p).pow(try BigFloat(parsing: "0.5", precision: p)) == BigFloat(3, precision: p))
    }

    @Test func printingAndRoundTrip() throws {
        #expect(BigFloat(2.0).roundTripString == "2")
        #expect(BigFloat(-0.375).roundTripString == "-0.375")
        #expect(BigFloat(1e-30).roundTripString == "1.0000000000000001e-30")
        #expect(BigFloat(0.1).formatted(significantDigits: 5) == "1.0000e-01")
        #expect(BigFloat(1.5).hexString == "0x1.8p+0")
        #expect(throws: NumberParseError.self) { try BigFloat(parsing: "1.5x", precision: .double) }
        #expect(throws: NumberParseError.self) { try BigFloat(parsing: "", precision: .double) }
    }

    /// IEEE binary64 arithmetic is correctly rounded, as MPFR at 53 bits is: results agree bit for bit.
    @Test func mpfrAt53BitsEqualsDoubleArithmetic() async {
        await propertyCheck(count: 300, input: Gen.double(in: -1e6...1e6), Gen.double(in: -1e6...1e6)) { a, b in
            let x = BigFloat(a), y = BigFloat(b)
            #expect((x + y).toDouble().bitPattern == (a + b).bitPattern)
            #expect((x * y).toDouble().bitPattern == (a * b).bitPattern)
            if b != 0 { #expect((x / y).toDouble().bitPattern == (a / b).bitPattern) }
            #expect(BigFloat(a.magnitude).squareRoot().toDouble().bitPattern == a.magnitude.squareRoot().bitPattern)
        }
    }

    /// Decimal text written for a value reads back to the identical bits at its precision.
    @Test func roundTripStringIsBitExact() async {
        await propertyCheck(count: 200, input: Gen.int(in: 2...3000), Gen.uint64(in: 0...UInt64.max), Gen.int(in: -300...300)) { bits, seed, exponent in
            let p = try! Precision(bits: bits)
            let v = randomBigFloat(precision: p, seed: seed, exponent: exponent)
            let back = try! BigFloat(parsing: v.roundTripString, precision: p)
            #expect(back.isIdentical(to: v))
        }
    }

    @Test func mpfrArrayElementsAreIndependent() throws {
        let p = try Precision(bits: 300)
        let a = MPFRArray(count: 5, precision: p)
        for i in 0..<5 { mpfr_set_si(a[i], i * i, MPFR_RNDN) }
        mpfr_add(a[0], a[3], a[4], MPFR_RNDN)
        #expect(a.value(at: 0) == BigFloat(25))
        #expect(a.values.map { $0.toDouble() } == [25, 1, 4, 9, 16])
        #expect(a.value(at: 2).precision == p)
    }
}

/// A reproducible pseudo-random number with every significand bit used: ±0.b1b2...bP × 2^exponent.
func randomBigFloat(precision: Precision, seed: UInt64, exponent: Int) -> BigFloat {
    var generator = SplitMix64(seed: seed)
    return BigFloat.random(precision: precision, exponent: exponent, using: &generator)
}
