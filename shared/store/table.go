package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateTable creates the table the Store needs, for local development and tests (in AWS the
// CDK stack creates the same table): PK/SK string keys, the GSI1 index on GSI1PK/GSI1SK
// projecting all attributes, on-demand billing, a stream of new images (it feeds the mailer),
// and TTL on ExpiresAt. It waits until the table is ACTIVE. An existing table is fine if it has
// that key schema and GSI1; its stream and TTL are enabled if they are not.
func CreateTable(ctx context.Context, c *dynamodb.Client, name string) error {
	str := types.ScalarAttributeTypeS
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage,
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrPK), AttributeType: str},
			{AttributeName: aws.String(attrSK), AttributeType: str},
			{AttributeName: aws.String(attrGSI1PK), AttributeType: str},
			{AttributeName: aws.String(attrGSI1SK), AttributeType: str},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(indexGSI1),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrGSI1PK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrGSI1SK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("store: create table %s: %w", name, err)
	}

	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	desc, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute)
	if err != nil {
		return fmt.Errorf("store: create table %s: wait until active: %w", name, err)
	}
	if err := checkSchema(desc.Table); err != nil {
		return fmt.Errorf("store: create table %s: existing table: %w", name, err)
	}
	if sp := desc.Table.StreamSpecification; sp == nil || !aws.ToBool(sp.StreamEnabled) {
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName: aws.String(name),
			StreamSpecification: &types.StreamSpecification{
				StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage,
			},
		})
		if err != nil {
			return fmt.Errorf("store: create table %s: enable the stream: %w", name, err)
		}
	}

	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("store: create table %s: describe TTL: %w", name, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == attrExpiresAt &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrExpiresAt),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("store: create table %s: enable TTL on %s: %w", name, attrExpiresAt, err)
	}
	return nil
}

// checkSchema reports whether an existing table has the keys and index the Store uses.
func checkSchema(t *types.TableDescription) error {
	keysAre := func(ks []types.KeySchemaElement, hash, rng string) bool {
		var h, r string
		for _, k := range ks {
			switch k.KeyType {
			case types.KeyTypeHash:
				h = aws.ToString(k.AttributeName)
			case types.KeyTypeRange:
				r = aws.ToString(k.AttributeName)
			}
		}
		return h == hash && r == rng
	}
	if t == nil || !keysAre(t.KeySchema, attrPK, attrSK) {
		return fmt.Errorf("its key is not %s/%s", attrPK, attrSK)
	}
	for _, g := range t.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) == indexGSI1 {
			if !keysAre(g.KeySchema, attrGSI1PK, attrGSI1SK) {
				return fmt.Errorf("index %s is not on %s/%s", indexGSI1, attrGSI1PK, attrGSI1SK)
			}
			if g.Projection == nil || g.Projection.ProjectionType != types.ProjectionTypeAll {
				return fmt.Errorf("index %s does not project all attributes", indexGSI1)
			}
			return nil
		}
	}
	return fmt.Errorf("it has no index %s", indexGSI1)
}
