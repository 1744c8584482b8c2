# sensord: build, cross-build, package and test.
#   make build   host binary dist/sensord
#   make cross   static ARM binaries: dist/sensord-linux-{armv6,armv7,arm64}
#   make deb     dist/sensord_<version>_armhf.deb (GOARM=6: every Pi) and _arm64.deb
#   make test    go test ./...
# DIST=dir and VERSION=x.y.z override the defaults.

GO      ?= go
DIST    ?= dist
VERSION ?= $(shell scripts/version.sh)
LDFLAGS := -s -w -X sensord/version.Version=$(VERSION)
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"

.PHONY: all build cross deb test clean version \
	$(DIST)/sensord $(DIST)/sensord-linux-armv6 $(DIST)/sensord-linux-armv7 $(DIST)/sensord-linux-arm64

all: build

version:
	@echo $(VERSION)

build: $(DIST)/sensord

$(DIST)/sensord:
	$(GOBUILD) -o $@ .

cross: $(DIST)/sensord-linux-armv6 $(DIST)/sensord-linux-armv7 $(DIST)/sensord-linux-arm64

# GOARM=6 runs on every Pi, from the Zero and Pi 1 (ARMv6) up.
$(DIST)/sensord-linux-armv6:
	GOOS=linux GOARCH=arm GOARM=6 $(GOBUILD) -o $@ .

$(DIST)/sensord-linux-armv7:
	GOOS=linux GOARCH=arm GOARM=7 $(GOBUILD) -o $@ .

$(DIST)/sensord-linux-arm64:
	GOOS=linux GOARCH=arm64 $(GOBUILD) -o $@ .

deb: $(DIST)/sensord-linux-armv6 $(DIST)/sensord-linux-arm64
	scripts/build-deb.sh armhf $(DIST)/sensord-linux-armv6 $(VERSION) $(DIST)
	scripts/build-deb.sh arm64 $(DIST)/sensord-linux-arm64 $(VERSION) $(DIST)

test:
	$(GO) test ./...

clean:
	rm -rf $(DIST)
