package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.tunnel.RelayOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy's TLS options: which go together, and what a wrong file or password says. */
class TlsOptionsTest {
    private static final Set<String> FLAGS = Set.of("--upstream-tls", "--tls-fin-as-end");
    private static TlsSetup.SelfSigned certificate;

    @BeforeAll
    static void makeCertificate() throws IOException {
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        certificate.close();
    }

    private static ReverseProxy.Config config(String... args) throws IOException {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        return Servers.proxyConfig(Servers.options(all, Set.of("--listen", "--upstream", "--tls-keystore",
                "--tls-password-file", "--upstream-truststore", "--upstream-truststore-password-file"), FLAGS));
    }

    @Test
    void listensWithTlsGivenAPkcs12KeystoreAndItsPasswordFile() throws IOException {
        ReverseProxy.Config config = config("--tls-keystore", certificate.keystore().toString(),
                "--tls-password-file", certificate.passwordFile().toString());

        assertTrue(config.tls().isPresent());
        assertTrue(config.upstreamTls().isEmpty());
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
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                () -> config("--tls-keystore", certificate.keystore().toString()));
        assertEquals("options --tls-keystore and --tls-password-file go together", alone.getMessage());
        IllegalArgumentException withoutTls = assertThrows(IllegalArgumentException.class,
                () -> config("--upstream-truststore", certificate.keystore().toString()));
        assertEquals("options --upstream-truststore and --upstream-truststore-password-file need --upstream-tls",
                withoutTls.getMessage());
        IllegalArgumentException valueForAFlag = assertThrows(IllegalArgumentException.class,
                () -> Servers.options(new String[] {"--upstream-tls", "yes"}, Set.of(), FLAGS));
        assertEquals("unknown option 'yes'", valueForAFlag.getMessage());
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
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> relayOptions("--tls-fin-as-end"));
        assertEquals("option --tls-fin-as-end needs --tls-keystore or --upstream-tls: without TLS there is no"
                + " close_notify to miss", plain.getMessage());
    }

    private static RelayOptions relayOptions(String... args) throws IOException {
        Map<String, String> options = Servers.options(args, Set.of("--tls-keystore", "--tls-password-file"), FLAGS);
        Map<String, String> all = new HashMap<>(options);
        all.put("--listen", "127.0.0.1:0");
        all.put("--upstream", "127.0.0.1:9");
        return Servers.proxyRelayOptions(all, Servers.proxyConfig(all));
    }

    @Test
    void saysWhichKeystoreItCouldNotOpenWithAWrongPassword() throws IOException {
        Path wrong = Files.createTempFile("wrong", ".password");
        try {
            Files.writeString(wrong, "not the password\n", StandardCharsets.UTF_8);
            IOException e = assertThrows(IOException.class, () -> config("--tls-keystore",
                    certificate.keystore().toString(), "--tls-password-file", wrong.toString()));
            assertTrue(e.getMessage().contains("password"), e.getMessage());
        } finally {
            Files.delete(wrong);
        }
    }

    @Test
    void theUsageShowsEveryTlsOption() {
        for (String option : new String[] {"--tls-keystore", "--tls-password-file", "--upstream-tls",
                "--upstream-truststore", "--upstream-truststore-password-file", "--tls]", "--tls-fin-as-end"}) {
            assertTrue(Servers.USAGE.contains(option), option);
        }
        assertEquals(Map.of("--tls", "true", "--port", "0"),
                Servers.options(new String[] {"--tls", "--port", "0"}, Set.of("--port"), Set.of("--tls")));
    }
}
