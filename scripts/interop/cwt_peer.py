#!/usr/bin/env python3
"""Independent CWT peer for ace-cwt's interop tests: Python `cwt` 3.3.0 (dajiaji).

Commands (all values hex; output is `name=hex` lines on stdout):
  sign1-make                 -> token, key (AS public COSE_Key), pop (client public COSE_Key)
  sign1-verify TOKEN KEY     -> claims (CBOR of the claims cwt decoded)
  encrypt0-make KEY          -> token (AES-CCM-16-64-128 Encrypt0 under the given COSE_Key)
  encrypt0-decrypt TOKEN KEY -> claims
Claims made here: iss "as.example", aud "rs1", exp 2000000000, cti h'0102', scope "read",
plus cnf (8) {1: COSE_Key}; cwt adds nbf (5) and iat (6) itself.
"""
import sys

import cbor2
import cwt
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec
from cwt import COSEKey


def pem_pair():
    k = ec.generate_private_key(ec.SECP256R1())
    return (
        k.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
        k.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo),
    )


def claims_with(pop):
    return {1: "as.example", 3: "rs1", 4: 2000000000, 7: b"\x01\x02", 9: "read", 8: {1: pop}}


def main(argv):
    cmd = argv[1]
    if cmd == "sign1-make":
        as_priv, as_pub = pem_pair()
        signer = COSEKey.from_pem(as_priv, alg="ES256", kid="as-key-1")
        verifier = COSEKey.from_pem(as_pub, alg="ES256", kid="as-key-1")
        _, pop_pub = pem_pair()
        pop = COSEKey.from_pem(pop_pub, alg="ES256", kid="client-pop").to_dict()
        token = cwt.encode(claims_with(pop), signer)
        print("token=" + token.hex())
        print("key=" + cbor2.dumps(verifier.to_dict()).hex())
        print("pop=" + cbor2.dumps(pop).hex())
    elif cmd == "sign1-verify":
        key = COSEKey.from_bytes(bytes.fromhex(argv[3]))
        claims = cwt.decode(bytes.fromhex(argv[2]), key)
        print("claims=" + cbor2.dumps(claims).hex())
    elif cmd == "encrypt0-make":
        key = COSEKey.from_bytes(bytes.fromhex(argv[2]))
        pop = COSEKey.from_symmetric_key(bytes(range(16)), alg="AES-CCM-16-64-128", kid="pop-1").to_dict()
        token = cwt.encode(claims_with(pop), key)
        print("token=" + token.hex())
        print("pop=" + cbor2.dumps(pop).hex())
    elif cmd == "encrypt0-decrypt":
        key = COSEKey.from_bytes(bytes.fromhex(argv[3]))
        claims = cwt.decode(bytes.fromhex(argv[2]), key)
        print("claims=" + cbor2.dumps(claims).hex())
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
