"""Test certificates made with the openssl CLI, never checked in.

make_pki(directory) writes:
  ca.pem / ca.key          the test CA the unit pins in tests
  server.pem / server.key  a server certificate for IP 127.0.0.1 and
                           DNS localhost, signed by the test CA
  other-ca.pem             an unrelated CA: pinning it must make the
                           server's certificate fail verification
  client.pem / client.key  a client certificate (CN kiosk-test-client),
                           signed by the test CA, for brokers that require one
and returns their paths as a dict. Keys are EC P-256 so generation is fast.
"""

import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)


def _make_ca(directory, name, subject):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
             "-subj", subject,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)


def _make_leaf(directory, name, subject, extensions):
    """name.pem / name.key: a certificate with these extensions, signed by ca."""
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    with open(os.path.join(directory, f"{name}.ext"), "w") as ext:
        ext.write(extensions)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext",
             cwd=directory)


def make_pki(directory):
    os.makedirs(directory, exist_ok=True)
    _make_ca(directory, "ca", "/CN=kiosk test CA")
    _make_ca(directory, "other-ca", "/CN=kiosk unrelated CA")
    _make_leaf(directory, "server", "/CN=127.0.0.1",
               "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
               "basicConstraints=critical,CA:FALSE\n"
               "keyUsage=critical,digitalSignature\n"
               "extendedKeyUsage=serverAuth\n")
    _make_leaf(directory, "client", "/CN=kiosk-test-client",
               "basicConstraints=critical,CA:FALSE\n"
               "keyUsage=critical,digitalSignature\n"
               "extendedKeyUsage=clientAuth\n")
    return {name: os.path.join(directory, file) for name, file in [
        ("ca", "ca.pem"), ("other_ca", "other-ca.pem"),
        ("cert", "server.pem"), ("key", "server.key"),
        ("client_cert", "client.pem"), ("client_key", "client.key")]}
