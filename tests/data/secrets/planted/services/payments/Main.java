package com.acme.payments;

public class Main {
    private static final String DB = "jdbc:sqlserver://db:1433;databaseName=pay;user=sa;password=Wnm5rpjiaG29JzxY;";
    private static final String TWILIO_AUTH_TOKEN = "663eb985cf9a72b4a4fb54ea7a31ea45";
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
