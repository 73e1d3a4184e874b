#!/bin/sh
# Builds a bootable Raspberry Pi SD card image (arm64: Pi 3, 4, 400, Zero 2 W)
# that runs the kiosk player and nothing else a sign does not need, from
# Debian 12's own packages with mmdebstrap. As root on Debian 12 (amd64 or
# arm64). About 40 minutes on a loaded 2-core machine (the player's cross
# build included), most of it package scripts under qemu-user.
#
# Usage: image/build-image.sh [--deb kiosk_..._arm64.deb] [--out DIR]
#                             [--mirror URL] [--security-mirror URL] [--full]
#   --deb       the player package (default: built with scripts/build-deb
#               --arch arm64)
#   --out       output directory (default: out/image): kiosk-<ver>.img,
#               packages.txt (every package and version in the image),
#               vmlinuz, initrd.img and cmdline.txt (for image/test-qemu.sh)
#   --mirror    Debian archive (default: the one this machine's apt uses,
#               scripts/debian-mirror); a snapshot archive's URL at a date
#               gives the same packages a year later
#   --security-mirror  the security archive (default: this machine's apt's)
#   --full      keep every kernel module of Debian's arm64 kernel (291 MB
#               of them). The default keeps only those a Pi sign and the
#               QEMU test load, and their dependencies (106 MB,
#               image/hooks/slim-modules.sh); --slim is accepted and is
#               the default
#
# Card layout (MBR, as the Pi's boot ROM wants):
#   1 KIOSKBOOT  FAT32 256 MiB  firmware, kernel, cmdline.txt, and the
#                               venue's files (kiosk.json, wifi, ...);
#                               mounted read-only: the Pi never writes it
#   2 KIOSKROOT  ext4           the system, mounted read-only; /var, /tmp
#                               and /run are RAM (tmpfs)
#   3 KIOSKDATA  ext4 256 MiB   /var/lib/kiosk: the only writable place on
#                               the card (downloaded content), data=journal
# A power cut can then only interrupt writes to partition 3, whose journal
# replays at the next mount (and fsck.repair=yes fixes the rest).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/out/image
mirror=""
security=""
deb=""
slim=slim
while [ $# -gt 0 ]; do
  case $1 in
    --deb) deb=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --security-mirror) security=$2; shift 2 ;;
    --slim) slim=slim; shift ;;
    --full) slim=full; shift ;;
    *) sed -n '/^# Usage/,/^#$/p' "$0" >&2; exit 2 ;;
  esac
done
# Every prerequisite, checked in the first second (not after a 7-minute
# cross build): what is missing, and the one command that installs it.
missing=""
need() {  # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need mmdebstrap mmdebstrap
need arch-test arch-test
need qemu-aarch64-static qemu-user-static
need mkfs.vfat dosfstools
need mcopy mtools
need mkfs.ext4 e2fsprogs
need sfdisk fdisk
need xz xz-utils
need dpkg-deb dpkg
problems=""
[ -z "$deb" ] || [ -f "$deb" ] || problems="$problems
  - --deb $deb: no such file"
[ "$(id -u)" -eq 0 ] || problems="$problems
  - not root: run it as root (mmdebstrap --mode=root, mkfs, binfmt_misc)"
# arm64 package scripts run through binfmt_misc: mounted now (a container
# without the privilege fails here, not after the cross build).
if [ "$(uname -m)" != aarch64 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  if [ ! -d /proc/sys/fs/binfmt_misc ]; then
    problems="$problems
  - this kernel has no binfmt_misc (/proc/sys/fs/binfmt_misc): arm64 package scripts cannot run"
  elif [ ! -e /proc/sys/fs/binfmt_misc/register ] && [ "$(id -u)" -eq 0 ] &&
    ! mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null; then
    problems="$problems
  - cannot mount binfmt_misc on /proc/sys/fs/binfmt_misc (a container without privileges?):
    arm64 package scripts cannot run"
  fi
fi
if [ -z "$deb" ]; then
  # The player's arm64 package is cross-built: its packages must be there.
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    problems="$problems
  - dpkg has no arm64 architecture (the player is cross-built): scripts/install-deps arm64 adds it"
    cross_missing=yes
  else
    wanted=$(sed -e 's/#.*//' "$here/packaging/apt-arm64.txt"; echo cmake make pkg-config)
    # One dpkg-query for all: "ii " in front of each installed package.
    installed=$(dpkg-query -W -f '${db:Status-Abbrev}${binary:Package}\n' $wanted 2>/dev/null |
      sed -n 's/^ii *//p')
    for p in $wanted; do
      case $p in *:*) q=$p ;; *) q="$p $p:$(dpkg --print-architecture)" ;; esac
      found=""
      for name in $q; do echo "$installed" | grep -qx "$name" && found=yes; done
      [ -n "$found" ] || { missing="$missing $p"; cross_missing=yes; }
    done
  fi
fi
if [ -n "$missing$problems" ]; then
  echo "build-image.sh: cannot start:" >&2
  [ -z "$missing" ] || echo "  - missing packages:$missing" >&2
  [ -z "$problems" ] || echo "$problems" | sed 1d >&2
  lists=image
  [ -z "${cross_missing:-}" ] || lists="image arm64"
  if [ -n "$missing" ] || [ -n "${cross_missing:-}" ]; then
    echo "install them with: sudo scripts/install-deps $lists" >&2
    [ -z "${cross_missing:-}" ] || echo "(or give a ready package with --deb kiosk_VERSION_arm64.deb)" >&2
  fi
  exit 1
fi
# The archives this machine's apt uses, unless given: no mirror name of ours.
[ -n "$mirror" ] || mirror=$("$here/scripts/debian-mirror") ||
  { echo "no Debian archive in this machine's apt sources: give --mirror URL" >&2; exit 1; }
[ -n "$security" ] || security=$("$here/scripts/debian-mirror" --security) ||
  { echo "no security archive in this machine's apt sources: give --security-mirror URL" >&2; exit 1; }
start=$(date +%s)
mkdir -p "$out"
work=$(mktemp -d /tmp/kiosk-image.XXXXXX)
# If this script is stopped while mmdebstrap still has /proc, /sys and /dev
# mounted in the root it builds, removing $work must not walk into them:
# leave it, and say so.
cleanup() {
  if grep -q " $work/" /proc/mounts; then
    echo "mounts left under $work (mmdebstrap still running?): not removed" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

if [ -z "$deb" ]; then
  deb=$("$here/scripts/build-deb" --arch arm64 --out "$work/deb" | tail -1)
fi
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || { echo "$deb is not arm64" >&2; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
cp "$deb" "$work/kiosk.deb"

# Foreign-architecture maintainer scripts run through qemu-user: register it
# with binfmt_misc (F: the kernel keeps the interpreter open, so it works
# inside the chroot without copying qemu into it).
if [ "$(uname -m)" != aarch64 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] ||
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' \
    >/proc/sys/fs/binfmt_misc/register
fi

# What a sign needs: systemd, the kernel and Pi firmware, Wi-Fi firmware,
# NetworkManager (Ethernet and Wi-Fi, keyfiles from the boot partition),
# time sync (the Pi has no RTC; signed content has dates), fsck for both
# file system types, and sshd (off unless provisioned). The player's own
# dependencies (SDL2, Mesa, curl, ...) come with its package.
pkgs=systemd,systemd-sysv,udev,dbus,kmod,initramfs-tools,linux-image-arm64
pkgs=$pkgs,raspi-firmware,firmware-brcm80211,network-manager,wpasupplicant
pkgs=$pkgs,systemd-timesyncd,e2fsprogs,dosfstools,openssh-server,ca-certificates

mmdebstrap --mode=root --variant=minbase --architectures=arm64 \
  --include="$pkgs" \
  --essential-hook="sh '$here/image/hooks/essential.sh' \"\$1\"" \
  --customize-hook="sh '$here/image/hooks/customize.sh' \"\$1\" '$here' '$work' $slim" \
  bookworm "$work/root" \
  "deb $mirror bookworm main non-free-firmware" \
  "deb $mirror bookworm-updates main non-free-firmware" \
  "deb $security bookworm-security main non-free-firmware" \
  </dev/null >"$work/mmdebstrap.log" 2>&1 ||
  { tail -40 "$work/mmdebstrap.log"; echo "mmdebstrap failed" >&2; exit 1; }
cp "$work/mmdebstrap.log" "$out/mmdebstrap.log"

root=$work/root
# For image/test-qemu.sh: the same kernel, initrd and command line the Pi
# boots (the Pi finds them on partition 1).
cp "$root/boot/firmware/cmdline.txt" "$out/cmdline.txt"
cp -L "$root/vmlinuz" "$out/vmlinuz"
cp -L "$root/initrd.img" "$out/initrd.img"
chroot "$root" dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' >"$out/packages.txt"

# Partition 1's files leave the root tree: the mount point stays empty.
mkdir "$work/bootfs"
mv "$root/boot/firmware/"* "$work/bootfs/"

boot_mb=256
data_mb=256
# Root: what is there plus a quarter (ext4 metadata, a margin for nothing
# else: the root is never written on the unit).
used_mb=$(du -sm "$root" | cut -f1)
root_mb=$((used_mb + used_mb / 4 + 32))
kiosk_ids=$(chroot "$root" sh -c 'echo "$(id -u kiosk):$(id -g kiosk)"')

mkfs.vfat -F 32 -n KIOSKBOOT -C "$work/boot.img" $((boot_mb * 1024)) >/dev/null
mcopy -s -i "$work/boot.img" "$work/bootfs/"* ::/
# -d: build the file system from the tree, as root, keeping owners/modes.
mkfs.ext4 -q -L KIOSKROOT -d "$root" -E lazy_itable_init=0,lazy_journal_init=0 \
  "$work/root.img" "${root_mb}M"
install -d -m 0750 "$work/data"
mkfs.ext4 -q -L KIOSKDATA -d "$work/data" -E root_owner="$kiosk_ids" \
  "$work/data.img" "${data_mb}M"

img=$out/kiosk-$version.img
rm -f "$img"
truncate -s $((4 + boot_mb + root_mb + data_mb))M "$img"
# Type c (FAT32 LBA), bootable, first: what the Pi's boot ROM looks for.
sfdisk --quiet "$img" <<PARTS
label: dos
start=4MiB, size=${boot_mb}MiB, type=c, bootable
size=${root_mb}MiB, type=83
size=${data_mb}MiB, type=83
PARTS
dd if="$work/boot.img" of="$img" bs=1M seek=4 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$img" bs=1M seek=$((4 + boot_mb)) conv=notrunc,sparse status=none
dd if="$work/data.img" of="$img" bs=1M seek=$((4 + boot_mb + root_mb)) conv=notrunc,sparse \
  status=none
ln -sf "$(basename "$img")" "$out/kiosk.img"

echo "image: $img"
echo "size: $(du -h --apparent-size "$img" | cut -f1) (root $root_mb MiB, $(wc -l <"$out/packages.txt") packages)"
# The file a venue downloads: its size is the one that matters to them.
xz -T2 -6 -k -f "$img"
echo "sizes: raw $(($(stat -c %s "$img") / 1048576)) MiB, xz $(($(stat -c %s "$img.xz") / 1048576)) MiB ($img.xz)"
echo "write with dd (xzcat $img.xz | dd of=/dev/sdX bs=4M) or Raspberry Pi Imager"
echo "build took $(($(date +%s) - start)) s"
