#!/bin/sh
# Test PKI generator: one CA with good, revoked and expired client certs, a CRL, and a rogue CA.
#
# Usage: gen_pki.sh DIR GATEWAY_ID
#
# Writes into DIR (created 0700; every file 0600, keys included):
#   ca.crt ca.key ca.crl            the test CA and its CRL (lists gw-revoked and dot1x-revoked,
#                                   valid 30 days)
#   server.crt server.key           CN=localhost, SAN DNS:localhost,IP:127.0.0.1, signed by the CA
#   gateway.crt gateway.key         CN=GATEWAY_ID (the gateway's client cert)
#   observer.crt observer.key       CN=observer (a test subscriber allowed to read lintel/v1/#)
#   revoked.crt revoked.key         CN=gw-revoked, revoked in ca.crl
#   expired.crt expired.key         CN=gw-expired, valid 2020-01-01 .. 2020-01-02 only
#   wrong-name.crt wrong-name.key   a server cert from the CA, but for wrong.example only
#   rogue-ca.crt rogue-ca.key       an unrelated CA
#   rogue-client.crt rogue-client.key   CN=gw-rogue, signed by the rogue CA
#   rogue-server.crt rogue-server.key   CN=localhost (same SAN), signed by the rogue CA
# 802.1X (tests/support/dot1x_rig.hpp), all from the same CA:
#   radius.crt radius.key           CN=radius.lintel.test, SAN DNS:radius.lintel.test (EAP-TLS server)
#   dot1x-a.crt dot1x-a.key         CN=dot1x-a (a supplicant's client cert)
#   dot1x-b.crt dot1x-b.key         CN=dot1x-b (a second identity, for credential changes)
#   dot1x-revoked.crt dot1x-revoked.key   CN=dot1x-revoked, revoked in ca.crl
# Idempotent: a second run with the same GATEWAY_ID is a no-op (stamp file .complete).
# EC P-256 everywhere: key generation is instant, so the whole run takes well under 2 s.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 DIR GATEWAY_ID" >&2
    exit 2
fi
dir=$1
gw=$2

umask 077
mkdir -p "$dir"
chmod 0700 "$dir"
cd "$dir"

if [ -f .complete ] && [ "$(cat .complete)" = "$gw" ]; then
    exit 0
fi
# A partial or different earlier run: start from scratch so files never mix.
rm -rf -- *.crt *.key *.crl *.csr ca-db .complete

mkdir -p ca-db/new
: > ca-db/index.txt
echo 1000 > ca-db/serial
echo 1000 > ca-db/crlnumber

cat > ca-db/openssl.cnf <<'EOF'
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = ./ca-db
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = ./ca.crt
private_key = ./ca.key
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = supplied
organizationName = optional

[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ wrong_name_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ radius_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:radius.lintel.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
cnf=ca-db/openssl.cnf

genkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

# self_signed_ca NAME CN
self_signed_ca() {
    genkey "$1"
    openssl req -config "$cnf" -new -x509 -key "$1.key" -out "$1.crt" -days 3650 \
        -subj "/O=lintel tests/CN=$2" -extensions v3_ca -sha256
}

# sign_with_ca NAME CN EXT [extra openssl-ca args]  (the main CA, tracked in its database)
sign_with_ca() {
    name=$1 cn=$2 ext=$3
    shift 3
    genkey "$name"
    openssl req -config "$cnf" -new -key "$name.key" -subj "/O=lintel tests/CN=$cn" -out "$name.csr"
    openssl ca -config "$cnf" -batch -notext -extensions "$ext" -in "$name.csr" -out "$name.crt" \
        "$@" 2>/dev/null
    rm -f "$name.csr"
}

# sign_with_rogue NAME CN EXT  (the rogue CA: no database needed)
sign_with_rogue() {
    genkey "$1"
    openssl req -config "$cnf" -new -key "$1.key" -subj "/O=rogue/CN=$2" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -CA rogue-ca.crt -CAkey rogue-ca.key -CAcreateserial \
        -days 3650 -sha256 -extfile "$cnf" -extensions "$3" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" rogue-ca.srl
}

self_signed_ca ca "lintel test CA"
sign_with_ca server localhost server_ext
sign_with_ca wrong-name wrong.example wrong_name_ext
sign_with_ca gateway "$gw" client_ext
sign_with_ca observer observer client_ext
sign_with_ca revoked gw-revoked client_ext
# openssl ca takes explicit validity bounds, so an already-expired cert needs no faketime.
sign_with_ca expired gw-expired client_ext -startdate 20200101000000Z -enddate 20200102000000Z

sign_with_ca radius radius.lintel.test radius_ext
sign_with_ca dot1x-a dot1x-a client_ext
sign_with_ca dot1x-b dot1x-b client_ext
sign_with_ca dot1x-revoked dot1x-revoked client_ext

openssl ca -config "$cnf" -batch -revoke revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -config "$cnf" -batch -revoke dot1x-revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -config "$cnf" -batch -gencrl -out ca.crl 2>/dev/null

self_signed_ca rogue-ca "rogue CA"
sign_with_rogue rogue-client gw-rogue client_ext
sign_with_rogue rogue-server localhost server_ext

chmod 0600 ./*.crt ./*.key ./*.crl
echo "$gw" > .complete
