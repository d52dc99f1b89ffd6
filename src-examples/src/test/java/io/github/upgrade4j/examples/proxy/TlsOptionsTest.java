package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.tunnel.RelayOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** The proxy's TLS options: which go together, and what a wrong file or password says. */
class TlsOptionsTest {
    private static TlsSetup.SelfSigned certificate;

    @BeforeAll
    static void makeCertificate() throws IOException {
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        certificate.close();
    }

    private static ProxyCommand command(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        return ProxyCommandTest.parse(all);
    }

    private static ReverseProxy.Config config(String... args) throws IOException {
        return command(args).config();
    }

    private static RelayOptions relayOptions(String... args) throws IOException {
        ProxyCommand command = command(args);
        return command.relayOptions(command.config());
    }

    @Test
    void listensWithTlsGivenAPkcs12KeystoreAndItsPasswordFile() throws IOException {
        ReverseProxy.Config config = config("--tls-keystore", certificate.keystore().toString(),
                "--tls-password-file", certificate.passwordFile().toString());

        assertTrue(config.tls().isPresent());
        assertTrue(config.upstreamTls().isEmpty());
    }

    @Test
    void http2IsOffByDefaultAndOnWithItsOptionBesideTls() throws IOException {
        String[] tls = {"--tls-keystore", certificate.keystore().toString(), "--tls-password-file",
                certificate.passwordFile().toString()};
        assertFalse(config(tls).http2());

        String[] withHttp2 = Arrays.copyOf(tls, tls.length + 1);
        withHttp2[tls.length] = "--http2";
        assertTrue(config(withHttp2).http2());
    }

    @Test
    void http2WithoutTlsIsRefusedWithTheReason() {
        ParameterException plain = assertThrows(ParameterException.class, () -> config("--http2"));
        assertEquals("option --http2 needs --tls-keystore: browsers speak HTTP/2 over TLS only, chosen by ALPN",
                plain.getMessage());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> new ReverseProxy.Config(
                new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 9), Duration.ofSeconds(1), 1,
                Duration.ofSeconds(1)).withHttp2());
        assertTrue(direct.getMessage().startsWith("expected TLS for clients with HTTP/2 on"), direct.getMessage());
    }

    @Test
    void speaksTlsUpstreamWithTheJdksCertificateAuthoritiesOrTheGivenTruststore() throws IOException {
        assertTrue(config("--upstream-tls").upstreamTls().isPresent());
        ReverseProxy.Config config = config("--upstream-tls", "--upstream-truststore", certificate.keystore().toString(),
                "--upstream-truststore-password-file", certificate.passwordFile().toString());
        assertTrue(config.upstreamTls().isPresent());
        assertTrue(config.tls().isEmpty());
    }

    @Test
    void refusesOptionsThatGoTogetherGivenAlone() {
        ParameterException alone = assertThrows(ParameterException.class,
                () -> config("--tls-keystore", certificate.keystore().toString()));
        assertEquals("options --tls-keystore and --tls-password-file go together", alone.getMessage());
        ParameterException withoutTls = assertThrows(ParameterException.class,
                () -> config("--upstream-truststore", certificate.keystore().toString()));
        assertEquals("options --upstream-truststore and --upstream-truststore-password-file need --upstream-tls",
                withoutTls.getMessage());
        ParameterException passwordAlone = assertThrows(ParameterException.class,
                () -> config("--upstream-tls", "--upstream-truststore-password-file", certificate.passwordFile().toString()));
        assertEquals("option --upstream-truststore-password-file needs --upstream-truststore", passwordAlone.getMessage());
        ParameterException valueForAFlag = assertThrows(ParameterException.class, () -> command("--upstream-tls", "yes"));
        assertEquals("Unmatched argument at index 5: 'yes'", valueForAFlag.getMessage());
    }

    @Test
    void endsATlsDirectionAtAFinWithoutCloseNotifyOnlyWhenToldAndOnlyWithTls() throws IOException {
        String[] tls = {"--tls-keystore", certificate.keystore().toString(), "--tls-password-file",
                certificate.passwordFile().toString()};
        assertFalse(relayOptions(tls).tlsFinWithoutCloseNotifyAsEnd(), "off by default");
        String[] lenient = Arrays.copyOf(tls, tls.length + 1);
        lenient[tls.length] = "--tls-fin-as-end";
        assertTrue(relayOptions(lenient).tlsFinWithoutCloseNotifyAsEnd());
        assertTrue(relayOptions("--upstream-tls", "--tls-fin-as-end").tlsFinWithoutCloseNotifyAsEnd());
        ParameterException plain = assertThrows(ParameterException.class, () -> relayOptions("--tls-fin-as-end"));
        assertEquals("option --tls-fin-as-end needs --tls-keystore or --upstream-tls: without TLS there is no"
                + " close_notify to miss", plain.getMessage());
    }

    @Test
    void saysWhichKeystoreItCouldNotOpenWithAWrongPassword() throws IOException {
        Path wrong = Files.createTempFile("wrong", ".password");
        try {
            Files.writeString(wrong, "not the password\n", StandardCharsets.UTF_8);
            IOException e = assertThrows(IOException.class, () -> config("--tls-keystore",
                    certificate.keystore().toString(), "--tls-password-file", wrong.toString()));
            assertTrue(e.getMessage().contains("password"), e.getMessage());
            assertTrue(e.getMessage().contains(certificate.keystore().toString()), e.getMessage());
        } finally {
            Files.delete(wrong);
        }
    }

    @Test
    void aMissingKeystoreOrPasswordFileIsNamedWithItsOptionBeforeAnythingStarts() throws IOException {
        Path missing = certificate.keystore().resolveSibling("missing.p12");
        assertEquals("Invalid value for option '--tls-keystore': expected a file but there is none at '" + missing + "'",
                assertThrows(ParameterException.class, () -> command("--tls-keystore", missing.toString(),
                        "--tls-password-file", certificate.passwordFile().toString())).getMessage());
        assertEquals("Invalid value for option '--tls-password-file': expected a file but there is none at '" + missing
                + "'", assertThrows(ParameterException.class, () -> command("--tls-keystore",
                        certificate.keystore().toString(), "--tls-password-file", missing.toString())).getMessage());
        assertEquals("Invalid value for option '--upstream-truststore': expected a file but '"
                + certificate.keystore().getParent() + "' is a directory or a device",
                assertThrows(ParameterException.class, () -> command("--upstream-tls", "--upstream-truststore",
                        certificate.keystore().getParent().toString())).getMessage());
    }
}
