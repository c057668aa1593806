#===- EmbedFile.cmake - A binary file as a C array ------------------------===#
#
# cmake -DINPUT=file -DOUTPUT=file.inc -DNAME=symbol -P EmbedFile.cmake
# writes `static const unsigned char NAME[] = {...};` (the bytes of INPUT).
#
#===----------------------------------------------------------------------===#
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" length)
math(EXPR bytes "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" body "${body}")
file(WRITE ${OUTPUT}
  "// Generated from ${INPUT} by cmake/EmbedFile.cmake; do not edit.\n"
  "static const unsigned char ${NAME}[${bytes}] = {\n${body}\n};\n")
