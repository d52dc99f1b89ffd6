// Runs after this consumer's build (maven-invoker-plugin's post-build hook), which demo.Main already failed on
// any surprise. Here: each run the POM asks for did happen and passed, and no JVM printed a warning (lines
// "WARNING: ..." or "... VM warning: ..." from the JVM itself, unlike Maven's "[WARNING]"), such as one about
// native access on Java 22+.
def log = new File(basedir, 'build.log').readLines()
def expected = ['module-path copy']
if (Runtime.version().feature() >= 22 && System.getProperty('os.name') == 'Linux') {
    expected << 'module-path splice'
}
expected.each { run ->
    assert log.any { it.startsWith("consumer check passed ($run,") } : "no passed run '$run' in build.log"
}
def jvmWarnings = log.findAll { it.startsWith('WARNING:') || it.contains(' VM warning: ') }
assert jvmWarnings.isEmpty() : "the JVM warned:\n" + jvmWarnings.join('\n')
