package io.github.upgrade4j.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.upgrade.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The echo server command's TLS upgrade options as a {@code TlsUpgrade}, and their refusals. */
class EchoServerCommandTest {
    private static TlsSetup.SelfSigned certificate;

    @BeforeAll
    static void makeCertificate() throws IOException {
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        certificate.close();
    }

    private static EchoServerCommand parse(String... more) {
        EchoServerCommand command = new EchoServerCommand(new PrintStream(OutputStream.nullOutputStream()));
        String[] args = new String[more.length + 2];
        args[0] = "--listen";
        args[1] = "127.0.0.1:0";
        System.arraycopy(more, 0, args, 2, more.length);
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void withoutTlsOptionsThereIsNoTlsUpgrade() throws IOException {
        assertTrue(parse().tlsUpgrade().isEmpty());
    }

    @Test
    void aKeystoreAndItsPasswordFileMakeAnUpgradeToTls12() throws IOException {
        assertEquals(new Protocol("TLS", "1.2"), parse("--tls-upgrade", certificate.keystore().toString(),
                "--tls-password-file", certificate.passwordFile().toString(), "--require-tls").tlsUpgrade()
                .orElseThrow().protocol());
    }

    @Test
    void theKeystoreWithoutItsPasswordFileIsRefusedNamingBoth() {
        EchoServerCommand command = parse("--tls-upgrade", certificate.keystore().toString());

        assertEquals("options --tls-upgrade and --tls-password-file go together",
                assertThrows(ParameterException.class, command::tlsUpgrade).getMessage());
    }

    @Test
    void requireTlsWithoutATlsUpgradeIsRefused() {
        EchoServerCommand command = parse("--require-tls");

        assertEquals("option --require-tls needs --tls-upgrade",
                assertThrows(ParameterException.class, command::tlsUpgrade).getMessage());
    }

    @Test
    void aWrongPasswordIsNamedWithTheKeystore() throws IOException {
        Path wrong = Files.createTempFile("wrong", ".password");
        try {
            Files.writeString(wrong, "not-the-password\n");
            EchoServerCommand command = parse("--tls-upgrade", certificate.keystore().toString(),
                    "--tls-password-file", wrong.toString());

            assertTrue(assertThrows(IOException.class, command::tlsUpgrade).getMessage()
                    .startsWith("could not use the key in " + certificate.keystore()));
        } finally {
            Files.delete(wrong);
        }
    }
}
