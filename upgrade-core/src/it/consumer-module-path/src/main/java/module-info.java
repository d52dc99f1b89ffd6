/** A proxy author's module: the one line that uses upgrade4j. */
module demo {
    requires io.github.upgrade4j;
}
