package dj_test

import "github.com/datajoint-go/datajoint/dj/external"

func fileStoreConfig(location, stage string) external.StoreConfig {
	return external.StoreConfig{Protocol: external.ProtocolFile, Location: location, Stage: stage}
}

func s3StoreConfig(endpoint, bucket, access, secret, location, stage string) external.StoreConfig {
	return external.StoreConfig{Protocol: external.ProtocolS3, Endpoint: endpoint, Bucket: bucket, AccessKey: access, SecretKey: secret, Location: location, Stage: stage}
}
