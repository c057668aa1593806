#===- AddQuant.cmake - Helpers for quant's CMake targets -----------------===#
#
# Thin wrappers over AddMLIR so that every quant library links the shared
# libMLIR.so (mlir_target_link_libraries) and lands in one property list that
# tools can link without naming each library.
#
#===----------------------------------------------------------------------===#

# add_quant_library(name sources... [DEPENDS ...] [MLIR_LIBS ...] [LINK_LIBS ...])
#   MLIR_LIBS: upstream MLIR libraries; with MLIR_LINK_MLIR_DYLIB these are
#   replaced by the single libMLIR.so.
function(add_quant_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;MLIR_LIBS;LINK_LIBS;LINK_COMPONENTS" ${ARGN})
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    EXCLUDE_FROM_LIBMLIR
    DISABLE_INSTALL
    DEPENDS ${ARG_DEPENDS}
    LINK_COMPONENTS ${ARG_LINK_COMPONENTS}
    LINK_LIBS PUBLIC ${ARG_LINK_LIBS})
  if(ARG_MLIR_LIBS)
    mlir_target_link_libraries(${name} PUBLIC ${ARG_MLIR_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY QUANT_ALL_LIBS ${name})
endfunction()
