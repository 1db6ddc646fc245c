package dev.minibert.data;

/** A package a part was built from, as the manifest records it. */
public record PackageRecord(String registry, String name, String version, String file, long size, String sha256) {
}
