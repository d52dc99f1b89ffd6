package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.ProjectVersion;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code parse} command: parses one raw head from a file or standard input and prints the head, its
 * {@code Connection} options and {@code Upgrade} offers, its body framing and the bytes behind it, or
 * why it was rejected. Exit status 1 for a rejected head or body framing.
 */
@Command(name = "parse", header = "Explains what the parser makes of one raw HTTP/1.x head.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class, sortOptions = false,
        description = {"Parses one raw HTTP/1.x head and explains it: the head, its Connection options and Upgrade"
                + " offers, its body framing and the bytes behind it, or why the parser rejected it (exit status 1).",
            "Example: printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | java -jar upgrade-examples.jar parse"})
public final class ParseCommand implements Callable<Integer> {
    private final InputStream in;
    private final PrintStream out;

    @Option(names = "--response", description = "Parse a response head (a status line) instead of a request head.")
    private boolean response;

    @Option(names = "--lf", description = "Accept bare LF line endings (the parser's LF_LINE_ENDINGS leniency);"
            + " by default only CRLF.")
    private boolean lf;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-", converter = FileOrStdin.class,
            description = "The file that holds the head; - for standard input (default: ${DEFAULT-VALUE}).")
    private Path file = STDIN;

    private static final Path STDIN = Path.of("-");

    /** {@code -}, or a file that can be read. */
    public static final class FileOrStdin implements ITypeConverter<Path> {
        @Override
        public Path convert(String text) {
            return text.equals("-") ? STDIN : new Converters.ReadableFile().convert(text);
        }
    }

    /** Reads {@code in} when no file is named; prints to {@code out}. */
    public ParseCommand(InputStream in, PrintStream out) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        ParserOptions options = lf ? ParserOptions.standard().with(ParserOptions.Leniency.LF_LINE_ENDINGS)
                : ParserOptions.standard();
        byte[] raw = file.equals(STDIN) ? in.readAllBytes() : Files.readAllBytes(file);
        boolean accepted = response
                ? describe(Http1Parser.forResponses(options), ByteBuffer.wrap(raw), out)
                : describe(Http1Parser.forRequests(options), ByteBuffer.wrap(raw), out);
        return accepted ? 0 : 1;
    }

    /** Prints what the parser and the framing rules make of {@code input}; returns whether it was accepted. */
    static <H extends MessageHead> boolean describe(Http1Parser<H> parser, ByteBuffer input, PrintStream out) {
        ParseResult<H> result = parser.parse(input);
        if (result instanceof ParseResult.Rejected<H> rejected) {
            out.println("rejected: " + rejected.problem() + " (" + rejected.problem().spec() + "), answer "
                    + rejected.status());
            out.println("  " + rejected.detail());
            return false;
        }
        if (!(result instanceof ParseResult.Complete<H> complete)) {
            out.println("incomplete: the input ended before the empty line that ends a head");
            return false;
        }
        MessageHead head = complete.head();
        out.println("head (" + complete.headLength() + " bytes):");
        out.print(head.toString().indent(2));
        out.println("Connection options: " + describe(FieldList.parse(head.headers().values(HeaderName.CONNECTION),
                FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS)));
        out.println("Upgrade offers:     " + describe(FieldList.parse(head.headers().values(HeaderName.UPGRADE),
                FieldList.Element.PROTOCOL, FieldList.DEFAULT_MAX_ELEMENTS)));
        BodyFraming framing = head instanceof RequestHead request
                ? BodyFraming.ofRequest(request)
                : BodyFraming.ofResponse((ResponseHead) head, "GET");
        if (framing instanceof BodyFraming.Invalid invalid) {
            out.println("body framing: refused, " + invalid.problem() + " (" + invalid.problem().spec() + "), answer "
                    + invalid.status());
            out.println("  " + invalid.detail());
        } else {
            out.println("body framing: " + framing);
        }
        out.println("bytes behind the head, kept for the caller: " + input.remaining());
        return !(framing instanceof BodyFraming.Invalid);
    }

    private static String describe(FieldList list) {
        return list instanceof FieldList.Valid valid
                ? valid.elements().toString()
                : "malformed: " + ((FieldList.Malformed) list).detail();
    }
}
