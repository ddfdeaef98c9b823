# SPDX-License-Identifier: MIT
# backend/model.mk - JSON, the Kubernetes object models, their cache codec and CLI JSON

backend_libbackend_a_SOURCES += backend/json.c
backend_libbackend_a_SOURCES += backend/model.c
backend_libbackend_a_SOURCES += backend/model_codec.c
backend_libbackend_a_SOURCES += backend/model_json.c
backend_libbackend_a_SOURCES += backend/model_parse.c

check_PROGRAMS += tests/unit/test-json
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/testlib.h
TESTS += tests/unit/test-json

check_PROGRAMS += tests/unit/test-model
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_LDADD = $(UNIT_LIBS)
tests_unit_test_model_SOURCES = tests/unit/test-model.c tests/unit/testlib.h
TESTS += tests/unit/test-model

check_PROGRAMS += tests/unit/test-model-codec
tests_unit_test_model_codec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_codec_LDADD = $(UNIT_LIBS)
tests_unit_test_model_codec_SOURCES = tests/unit/test-model-codec.c tests/unit/testlib.h
TESTS += tests/unit/test-model-codec

check_PROGRAMS += tests/unit/test-model-json
tests_unit_test_model_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_json_LDADD = $(UNIT_LIBS)
tests_unit_test_model_json_SOURCES = tests/unit/test-model-json.c tests/unit/testlib.h
TESTS += tests/unit/test-model-json
