package io.github.upgrade4j.examples.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The TLS settings of the example proxy: contexts from key and trust stores on disk, engines that
 * offer only {@code http/1.1} by ALPN (RFC 7301; a WebSocket upgrade is an HTTP/1.1 affair), and the
 * demo's throw-away self-signed certificate.
 *
 * <p>The JDK has no public API that makes a certificate, so {@link #selfSigned()} runs the JDK's own
 * {@code keytool}, as an operator would.
 */
public final class TlsSetup {
    private static final String[] ALPN = {"http/1.1"};
    /** The proxy's offer with HTTP/2 on: {@code h2} preferred, as nginx and HAProxy prefer it. */
    private static final String[] ALPN_H2 = {"h2", "http/1.1"};

    private TlsSetup() {}

    /** A context that presents the key and certificate chain in {@code keystore} (PKCS#12, or any type the JDK recognises). */
    public static SSLContext server(Path keystore, Path passwordFile) throws IOException {
        char[] password = password(passwordFile);
        try {
            KeyStore store = KeyStore.getInstance(keystore.toFile(), password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) { // IOException: a wrong password, a damaged file
            throw new IOException("could not use the key in " + keystore + ": " + e.getMessage(), e);
        }
    }

    /**
     * A context that trusts the certificates in {@code truststore}, or the JDK's default certificate
     * authorities when it is null. A store without a password file is read without one.
     */
    public static SSLContext client(@Nullable Path truststore, @Nullable Path passwordFile) throws IOException {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (truststore == null) {
                trust.init((KeyStore) null);
            } else {
                KeyStore store = open(truststore, passwordFile == null ? null : password(passwordFile));
                if (store.size() == 0) {
                    throw new IOException("expected certificates in " + truststore + " but found none"
                            + (passwordFile == null ? " (without a password file, encrypted entries cannot be read)" : ""));
                }
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("could not use the truststore " + truststore + ": " + e.getMessage(), e);
        }
    }

    /** The store in {@code truststore}; a wrong password or a damaged file named with the file. */
    private static KeyStore open(Path truststore, char @Nullable [] password) throws IOException, GeneralSecurityException {
        try {
            return KeyStore.getInstance(truststore.toFile(), password);
        } catch (IOException e) {
            throw new IOException("could not use the truststore " + truststore + ": " + e.getMessage(), e);
        }
    }

    /** The first line of {@code file}, without its line ending; a file keeps a password out of {@code ps}. */
    static char[] password(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return lines.isEmpty() ? new char[0] : lines.get(0).toCharArray();
    }

    /** A server-mode engine for a client connection: ALPN {@code http/1.1} only. */
    public static SSLEngine serverEngine(SSLContext context) {
        return serverEngine(context, false);
    }

    /**
     * A server-mode engine for a client connection: ALPN {@code h2} then {@code http/1.1} when {@code http2},
     * else {@code http/1.1} only. The server's order decides: a client that offers both gets {@code h2}.
     */
    public static SSLEngine serverEngine(SSLContext context, boolean http2) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(http2 ? ALPN_H2 : ALPN);
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * A client-mode engine toward {@code upstream}: server name indication for a host name, the
     * upstream's certificate checked against that name or address (RFC 9110 §4.3.4), ALPN
     * {@code http/1.1} only.
     */
    static SSLEngine clientEngine(SSLContext context, InetSocketAddress upstream) {
        SSLEngine engine = context.createSSLEngine(upstream.getHostString(), upstream.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(ALPN);
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * A throw-away self-signed certificate for {@code localhost} and {@code 127.0.0.1}, valid for 7
     * days, in a fresh temporary directory: a PKCS#12 key store, its password file, and the
     * certificate as PEM for clients to trust. {@link SelfSigned#close()} deletes them.
     */
    public static SelfSigned selfSigned() throws IOException {
        Path dir = Files.createTempDirectory("upgrade4j-demo-tls");
        Path keystore = dir.resolve("demo.p12");
        Path passwordFile = dir.resolve("demo.password");
        Path pem = dir.resolve("demo-cert.pem");
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "demo", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "7", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool could not make the demo certificate: " + output.strip());
            }
            Certificate certificate = KeyStore.getInstance(keystore.toFile(), password.toCharArray()).getCertificate("demo");
            byte[] der = certificate.getEncoded();
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
            return new SelfSigned(dir, keystore, passwordFile, pem, fingerprint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool made the demo certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool made a key store the JDK cannot read: " + e.getMessage(), e);
        } finally {
            process.destroyForcibly(); // by its pid; a no-op once it has exited
        }
    }

    /**
     * The demo's certificate on disk.
     *
     * @param dir the temporary directory holding the files
     * @param keystore PKCS#12 key store with the key and the certificate
     * @param passwordFile the key store's password, on one line
     * @param pem the certificate alone, for {@code curl --cacert} and the like
     * @param fingerprint the certificate's SHA-256 fingerprint, as browsers show it
     */
    public record SelfSigned(Path dir, Path keystore, Path passwordFile, Path pem, String fingerprint) implements AutoCloseable {
        /** A server context with the certificate. */
        public SSLContext serverContext() throws IOException {
            return server(keystore, passwordFile);
        }

        /** A client context that trusts the certificate (and nothing else). */
        public SSLContext clientContext() throws IOException {
            return client(keystore, passwordFile);
        }

        /** Lines that tell a person how to trust the certificate for this run. */
        public String howToTrust(String url) {
            return String.format(Locale.ROOT, """
                      The certificate is self-signed for localhost and 127.0.0.1, made for this run and deleted at exit;
                      its SHA-256 fingerprint is %s.
                      Browser: accept the warning for this site once, or start Chromium with --ignore-certificate-errors.
                      curl:    curl --cacert %s %s
                      Java:    -Djavax.net.ssl.trustStore=%s -Djavax.net.ssl.trustStorePassword="$(cat %s)"
                      Node:    NODE_EXTRA_CA_CERTS=%s node ...
                    """, fingerprint, pem, url, keystore, passwordFile, pem);
        }

        /** Deletes the files and the directory. */
        @Override
        public void close() {
            for (Path file : new Path[] {keystore, passwordFile, pem, dir}) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete " + file, e);
                }
            }
        }
    }
}
