package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one certificate every TLS target of {@link ProxyComparison} presents, so that the TLS rows
 * differ only in the proxy: an EC P-256 key and a self-signed certificate for {@code 127.0.0.1},
 * made with the JDK's {@code keytool}, in the forms each proxy reads — a PKCS#12 store and its
 * password file (the example proxy), PEM certificate and PKCS#8 key (nginx), both in one PEM
 * (HAProxy) — and a client socket factory that trusts it.
 *
 * @param keystore PKCS#12 key store with the key and the certificate
 * @param passwordFile the key store's password, on one line
 * @param certificatePem the certificate as PEM
 * @param keyPem the private key as PKCS#8 PEM
 * @param combinedPem certificate then key, as HAProxy's {@code crt} wants them
 * @param clients TLS client sockets that trust the certificate
 * @param clientContext the context {@code clients} come from, for clients that take a context (Jetty's, in
 *     {@link H2Tunnels})
 */
record TlsMaterial(Path keystore, Path passwordFile, Path certificatePem, Path keyPem, Path combinedPem,
        SSLSocketFactory clients, SSLContext clientContext) {
    private static final String ALIAS = "bench";

    /** Makes the certificate and its files in {@code dir} (replacing earlier ones). */
    static TlsMaterial create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("bench.p12");
        Path passwordFile = dir.resolve("bench.password");
        Files.deleteIfExists(keystore);
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "7", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password)
                .redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool could not make the benchmark certificate: " + output.strip());
            }
        } finally {
            process.destroyForcibly(); // by its pid; a no-op once it has exited
        }
        try {
            KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
            Certificate certificate = store.getCertificate(ALIAS);
            Key key = store.getKey(ALIAS, password.toCharArray());
            String certificateText = pem("CERTIFICATE", certificate.getEncoded());
            String keyText = pem("PRIVATE KEY", key.getEncoded()); // PKCS#8, which nginx and HAProxy read
            Path certificatePem = write(dir.resolve("bench-cert.pem"), certificateText);
            Path keyPem = write(dir.resolve("bench-key.pem"), keyText);
            Path combinedPem = write(dir.resolve("bench-combined.pem"), certificateText + keyText);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new TlsMaterial(keystore, passwordFile, certificatePem, keyPem, combinedPem,
                    context.getSocketFactory(), context);
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool made a key store the JDK cannot use: " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }
}
